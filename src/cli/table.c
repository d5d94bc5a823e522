#include "cli/table.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>

#define MIN_WIDTH 10
#define PADDING 3

struct table {
	size_t columns, rows;
	char **cells; /* rows * columns, row 0 the header */
};

table *table_new(size_t columns, const char *const *header)
{
	table *t = xzalloc(sizeof(*t));

	t->columns = columns;
	table_add(t, header);
	return t;
}

void table_add(table *t, const char *const *cells)
{
	t->cells = xrealloc(t->cells, (t->rows + 1) * t->columns * sizeof(*t->cells));
	for (size_t c = 0; c < t->columns; c++)
		t->cells[t->rows * t->columns + c] = xstrdup(cells[c] ? cells[c] : "");
	t->rows++;
}

/* Characters, not bytes: "…" is three bytes but one column. */
static size_t text_width(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

void table_print(table *t, FILE *out)
{
	size_t *width = xzalloc(t->columns * sizeof(*width));

	for (size_t r = 0; r < t->rows; r++)
		for (size_t c = 0; c < t->columns; c++) {
			size_t w = text_width(t->cells[r * t->columns + c]) + PADDING;
			if (w > width[c])
				width[c] = w;
		}
	for (size_t r = 0; r < t->rows; r++) {
		for (size_t c = 0; c < t->columns; c++) {
			const char *cell = t->cells[r * t->columns + c];
			if (c + 1 == t->columns)
				fprintf(out, "%s\n", cell);
			else
				fprintf(out, "%s%*s", cell,
					(int)((width[c] < MIN_WIDTH ? MIN_WIDTH : width[c]) - text_width(cell)), "");
		}
	}
	free(width);
}

void table_free(table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->rows * t->columns; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t);
}
