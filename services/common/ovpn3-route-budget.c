#define G_LOG_DOMAIN "ovpn3-route-budget"

#include "config.h"

#include <string.h>
#include <sys/socket.h>

#include "ovpn3-route-budget.h"

/* Address counts up to 2^128 need 128 bits; two halves keep it portable
 * (no __int128 on 32-bit targets). */
typedef struct
{
  guint64 hi, lo;
} Count;

typedef struct
{
  guint8 bytes[16];
  guint prefix;
} Prefix;

typedef struct
{
  gboolean unlimited;
  guint bits;    /* 32 or 128 */
  Prefix region; /* what counts: 0.0.0.0/0, 2000::/3 */
  Count budget;
  Count used;
  GArray *taken; /* Prefix: disjoint, inside region, sorted by address */
} Family;

struct _Ovpn3RouteBudget
{
  Family v4, v6;
};

static Count
pow2(guint e)
{
  Count c = { 0, 0 };

  if (e >= 64)
    c.hi = e < 128 ? G_GUINT64_CONSTANT(1) << (e - 64) : 0;
  else
    c.lo = G_GUINT64_CONSTANT(1) << e;
  return c;
}

static Count
count_add(Count a, Count b)
{
  Count c = { a.hi + b.hi, a.lo + b.lo };

  if (c.lo < a.lo)
    c.hi++;
  return c;
}

static Count
count_sub(Count a, Count b) /* a >= b */
{
  Count c = { a.hi - b.hi, a.lo - b.lo };

  if (a.lo < b.lo)
    c.hi--;
  return c;
}

static gboolean
count_gt(Count a, Count b)
{
  return a.hi != b.hi ? a.hi > b.hi : a.lo > b.lo;
}

static void
mask(Prefix *p, guint bits)
{
  for (guint i = 0; i < bits / 8; i++)
    {
      guint keep = p->prefix > i * 8 ? MIN(8, p->prefix - i * 8) : 0;

      p->bytes[i] &= (guint8) (0xff00u >> keep);
    }
}

/* TRUE if outer contains inner (both masked). */
static gboolean
contains(const Prefix *outer, const Prefix *inner)
{
  guint whole = outer->prefix / 8, rest = outer->prefix % 8;

  if (outer->prefix > inner->prefix)
    return FALSE;
  if (memcmp(outer->bytes, inner->bytes, whole) != 0)
    return FALSE;
  return rest == 0 || (outer->bytes[whole] ^ inner->bytes[whole]) >> (8 - rest) == 0;
}

/* The index of the first taken prefix that starts at or after p. */
static guint
lower_bound(const Family *f, const Prefix *p)
{
  guint lo = 0, hi = f->taken->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (memcmp(g_array_index(f->taken, Prefix, mid).bytes, p->bytes, f->bits / 8) < 0)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

static void
family_init(Family *f, gboolean unlimited, guint bits, guint8 first, guint region_prefix,
            guint shift)
{
  f->unlimited = unlimited;
  f->bits = bits;
  f->region.bytes[0] = first;
  f->region.prefix = region_prefix;
  f->budget = pow2(bits - region_prefix - shift);
  f->taken = g_array_new(FALSE, FALSE, sizeof(Prefix));
}

Ovpn3RouteBudget *
ovpn3_route_budget_new(gboolean unlimited_ipv4, gboolean unlimited_ipv6)
{
  Ovpn3RouteBudget *self = g_new0(Ovpn3RouteBudget, 1);

  family_init(&self->v4, unlimited_ipv4, 32, 0, 0, OVPN3_ROUTE_BUDGET_IPV4_SHIFT);
  /* 2000::/3: the first byte is 001x xxxx */
  family_init(&self->v6, unlimited_ipv6, 128, 0x20, 3, OVPN3_ROUTE_BUDGET_IPV6_SHIFT);
  return self;
}

void
ovpn3_route_budget_free(Ovpn3RouteBudget *self)
{
  if (self == NULL)
    return;
  g_array_unref(self->v4.taken);
  g_array_unref(self->v6.taken);
  g_free(self);
}

gboolean
ovpn3_route_budget_take(Ovpn3RouteBudget *self, int family, const guint8 *address, guint prefix)
{
  Family *f;
  Prefix p = { .prefix = prefix };
  Count cost, inside = { 0, 0 };
  guint first, end;

  if (self == NULL || address == NULL || (family != AF_INET && family != AF_INET6))
    return FALSE;
  f = family == AF_INET ? &self->v4 : &self->v6;
  if (prefix > f->bits)
    return FALSE;
  if (f->unlimited)
    return TRUE;
  memcpy(p.bytes, address, f->bits / 8);
  mask(&p, f->bits);
  /* only the part inside the counted region counts */
  if (contains(&p, &f->region))
    p = f->region;
  else if (!contains(&f->region, &p))
    return TRUE;
  /* the taken prefixes are disjoint and sorted by their first address:
   * one that contains p is the last to start before it or the one that
   * starts with it; those inside p follow from there */
  first = lower_bound(f, &p);
  if ((first > 0 && contains(&g_array_index(f->taken, Prefix, first - 1), &p))
      || (first < f->taken->len && contains(&g_array_index(f->taken, Prefix, first), &p)))
    return TRUE; /* counted already */
  for (end = first; end < f->taken->len; end++)
    {
      const Prefix *q = &g_array_index(f->taken, Prefix, end);

      if (!contains(&p, q))
        break;
      inside = count_add(inside, pow2(f->bits - q->prefix));
    }
  cost = count_sub(pow2(f->bits - p.prefix), inside);
  if (count_gt(count_add(f->used, cost), f->budget))
    return FALSE;
  /* p takes the place of the prefixes it contains */
  g_array_remove_range(f->taken, first, end - first);
  g_array_insert_val(f->taken, first, p);
  f->used = count_add(f->used, cost);
  return TRUE;
}

const char *
ovpn3_route_budget_describe(int family)
{
  G_STATIC_ASSERT(OVPN3_ROUTE_BUDGET_IPV4_SHIFT == 4 && OVPN3_ROUTE_BUDGET_IPV6_SHIFT == 8);
  return family == AF_INET6 ? "1/256 of 2000::/3" : "1/16 of the IPv4 address space";
}
