/* Unit tests for the pools of Docker's IPAM in the state store
 * (src/store/pool.c) and their leases (src/store/lease.c): asked again,
 * the same pool; leases in the pool's range, a dropped pool's leases gone, and
 * a network's leases and a pool's apart. */

#include "unit.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store.h"

typedef struct db {
	char dir[64], path[128];
	store *s;
	berth_err err;
} db;

static int open_db(void **state)
{
	db *d = calloc(1, sizeof(*d));

	if (!d)
		return -1;
	snprintf(d->dir, sizeof(d->dir), "/tmp/berth-test-pool-XXXXXX");
	if (!mkdtemp(d->dir)) {
		free(d);
		return -1;
	}
	snprintf(d->path, sizeof(d->path), "%s/b.db", d->dir);
	*state = d;
	return store_open(d->path, &d->s, &d->err);
}

static int close_db(void **state)
{
	db *d = *state;
	char file[160];

	store_close(d->s);
	berth_err_clear(&d->err);
	snprintf(file, sizeof(file), "%s-wal", d->path);
	unlink(file);
	snprintf(file, sizeof(file), "%s-shm", d->path);
	unlink(file);
	unlink(d->path);
	rmdir(d->dir);
	free(d);
	return 0;
}

static store_pool pool(const char *id, const char *subnet, const char *range)
{
	store_pool p = { .address_space = (char *)"LocalDefault" };

	snprintf(p.id, sizeof(p.id), "%s", id);
	p.sn.subnet = P(subnet);
	if (range) {
		p.sn.has_ip_range = true;
		p.sn.ip_range = P(range);
	}
	return p;
}

static void add(db *d, const store_pool *p)
{
	if (store_pool_add(d->s, p, &d->err) < 0)
		fail_msg("store_pool_add(%s): %s", p->id, d->err.msg);
}

/* The address the pool gives (want NULL: its lowest free), as text. */
static const char *take(db *d, const store_pool *p, const char *want, char *buf)
{
	berth_addr w = want ? A(want) : (berth_addr){ 0 }, got;
	int ret = store_pool_lease_take(d->s, p->id, &p->sn, "docker", want ? &w : NULL, &got, &d->err);

	if (ret < 0) {
		snprintf(buf, BERTH_ADDR_STRLEN, "error %d", -ret);
		berth_err_clear(&d->err);
		return buf;
	}
	return berth_addr_format(&got, buf);
}

static void test_add_get_again_and_drop(void **state)
{
	db *d = *state;
	store_pool a = pool("LocalDefault/10.90.0.0/24/10.90.0.128/25", "10.90.0.0/24", "10.90.0.128/25"), got;

	assert_int_equal(store_pool_get(d->s, a.id, &got, &d->err), -ENOENT);
	berth_err_clear(&d->err);
	add(d, &a);
	add(d, &a); /* dockerd's retry: the same pool */
	assert_int_equal(store_pool_get(d->s, a.id, &got, &d->err), 0);
	assert_string_equal(got.address_space, "LocalDefault");
	assert_true(got.sn.has_ip_range);
	char text[BERTH_PREFIX_STRLEN];
	assert_string_equal(berth_prefix_format(&got.sn.ip_range, text), "10.90.0.128/25");
	store_pool_clear(&got);

	/* one release for it, however often it was asked for */
	assert_int_equal(store_pool_drop(d->s, a.id, &d->err), 0);
	assert_int_equal(store_pool_get(d->s, a.id, &got, &d->err), -ENOENT);
	berth_err_clear(&d->err);
	/* nothing left to drop: success */
	assert_int_equal(store_pool_drop(d->s, a.id, &d->err), 0);
}

static void test_leases_in_the_range_and_anywhere_in_the_pool(void **state)
{
	db *d = *state;
	store_pool a = pool("LocalDefault/10.90.0.0/24/10.90.0.128/25", "10.90.0.0/24", "10.90.0.128/25");
	char buf[BERTH_ADDR_STRLEN];

	add(d, &a);
	assert_string_equal(take(d, &a, NULL, buf), "10.90.0.128");
	assert_string_equal(take(d, &a, NULL, buf), "10.90.0.129");
	/* --ip and the gateway may lie outside the range, inside the pool */
	assert_string_equal(take(d, &a, "10.90.0.1", buf), "10.90.0.1");
	assert_string_equal(take(d, &a, "10.90.0.1", buf), "error 98"); /* EADDRINUSE */
	berth_addr gone = A("10.90.0.128");
	assert_int_equal(store_pool_lease_release(d->s, a.id, &gone, &d->err), 0);
	assert_null(store_pool_lease_owner(d->s, a.id, &gone));
	assert_string_equal(take(d, &a, NULL, buf), "10.90.0.128");
}

static void test_a_full_pool_and_a_dropped_one(void **state)
{
	db *d = *state;
	store_pool a = pool("LocalDefault/10.91.0.0/30", "10.91.0.0/30", NULL);
	char buf[BERTH_ADDR_STRLEN];

	add(d, &a);
	assert_string_equal(take(d, &a, NULL, buf), "10.91.0.1");
	assert_string_equal(take(d, &a, NULL, buf), "10.91.0.2");
	assert_string_equal(take(d, &a, NULL, buf), "error 28"); /* ENOSPC */
	assert_int_equal(store_pool_drop(d->s, a.id, &d->err), 0);
	/* made again: its old leases went with it */
	add(d, &a);
	assert_string_equal(take(d, &a, NULL, buf), "10.91.0.1");
}

static void test_pools_listed_and_apart_from_networks(void **state)
{
	db *d = *state;
	store_pool a = pool("LocalDefault/10.92.0.0/24", "10.92.0.0/24", NULL);
	store_pool b = pool("LocalDefault/fd00:92::/64", "fd00:92::/64", NULL);
	berth_prefix *subnets = NULL;
	size_t n = 0;
	char buf[BERTH_PREFIX_STRLEN];

	add(d, &a);
	add(d, &b);
	assert_int_equal(store_pool_subnets(d->s, &subnets, &n, &d->err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(berth_prefix_format(&subnets[0], buf), "10.92.0.0/24");
	assert_string_equal(berth_prefix_format(&subnets[1], buf), "fd00:92::/64");
	free(subnets);
	/* a pool's lease is no network's */
	berth_addr one = A("10.92.0.1"), got;
	assert_int_equal(store_pool_lease_take(d->s, a.id, &a.sn, "gateway", &one, &got, &d->err), 0);
	assert_null(store_lease_owner(d->s, a.id, &one));
	char *owner = store_pool_lease_owner(d->s, a.id, &one);
	assert_non_null(owner);
	assert_string_equal(owner, "gateway");
	free(owner);
}

#define T(f) cmocka_unit_test_setup_teardown(f, open_db, close_db)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_add_get_again_and_drop),
		T(test_leases_in_the_range_and_anywhere_in_the_pool),
		T(test_a_full_pool_and_a_dropped_one),
		T(test_pools_listed_and_apart_from_networks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
