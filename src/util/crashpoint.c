#include "util/crashpoint.h"

/* Alone in its object file, so that the crash test's build can put its own
 * in its place (the archive's copy is then never linked). */
void crash_point(const char *what)
{
	(void)what;
}
