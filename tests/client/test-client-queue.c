#define G_LOG_DOMAIN "ovpn3-test-client-queue"

#include "config.h"

#include "client-queue.h"
#include "ovpn3-error.h"

static void
assert_print(GVariant *value, const char *expected)
{
  g_autoptr(GVariant) owned = g_variant_ref_sink(value);
  g_autofree char *text = g_variant_print(owned, FALSE);

  g_assert_cmpstr(text, ==, expected);
}

static void
test_ids_and_order(void)
{
  g_autoptr(Ovpn3ClientQueue) q = ovpn3_client_queue_new();
  GVariant *tg, *ids;
  g_autoptr(GVariant) slot = NULL;
  g_autoptr(GError) error = NULL;
  const char *name, *desc;
  guint type, group, id;
  gboolean hidden;

  g_assert_cmpuint(ovpn3_client_queue_add(q, 1, 1, "username", "Auth User name", FALSE), ==, 0);
  g_assert_cmpuint(ovpn3_client_queue_add(q, 1, 1, "password", "Auth Password", TRUE), ==, 1);
  g_assert_cmpuint(ovpn3_client_queue_add(q, 1, 3, "pk_passphrase", "Private key passphrase", TRUE),
                   ==, 0);
  tg = ovpn3_client_queue_get_type_group(q);
  assert_print(tg, "[(1, 1), (1, 3)]");
  ids = ovpn3_client_queue_check(q, 1, 1);
  assert_print(ids, "[0, 1]");

  slot = ovpn3_client_queue_fetch(q, 1, 1, 1, &error);
  g_assert_no_error(error);
  g_assert_cmpstr(g_variant_get_type_string(slot), ==, "(uuussb)");
  g_variant_get(slot, "(uuu&s&sb)", &type, &group, &id, &name, &desc, &hidden);
  g_assert_cmpstr(name, ==, "password");
  g_assert_cmpstr(desc, ==, "Auth Password");
  g_assert_true(hidden);

  g_assert_false(ovpn3_client_queue_complete(q));
  g_assert_true(ovpn3_client_queue_provide(q, 1, 1, 0, "alice", &error));
  g_assert_true(ovpn3_client_queue_provide(q, 1, 1, 1,
                                           "s\x01"
                                           "e\tcret",
                                           &error));
  g_assert_cmpstr(ovpn3_client_queue_get_value(q, 1, 1, "password"), ==, "secret");
  g_assert_true(ovpn3_client_queue_provide(q, 1, 3, 0, "pk", &error));
  g_assert_true(ovpn3_client_queue_complete(q));

  /* ids are never reused: reopened slots get new ones */
  ovpn3_client_queue_forget(q, 1, 1);
  g_assert_null(ovpn3_client_queue_get_value(q, 1, 1, "password"));
  g_assert_cmpuint(ovpn3_client_queue_add(q, 1, 1, "username", "Auth User name", FALSE), ==, 2);
  g_assert_cmpuint(ovpn3_client_queue_add(q, 1, 1, "password", "Auth Password", TRUE), ==, 3);
  ids = ovpn3_client_queue_check(q, 1, 1);
  assert_print(ids, "[2, 3]");
}

static void
test_errors(void)
{
  g_autoptr(Ovpn3ClientQueue) q = ovpn3_client_queue_new();
  g_autoptr(GError) error = NULL;
  g_autofree char *long_value = g_strnfill(OVPN3_CLIENT_QUEUE_MAX_VALUE + 1, 'x');

  ovpn3_client_queue_add(q, 1, 1, "username", "Auth User name", FALSE);
  ovpn3_client_queue_add_provided(q, 1, 5, "dynamic_challenge_cookie", "", TRUE, "cookie");

  g_assert_null(ovpn3_client_queue_fetch(q, 1, 1, 9, &error));
  g_assert_error(error, OVPN3_ERROR_REQUEST, OVPN3_ERROR_FAILED);
  g_assert_cmpstr(error->message, ==,
                  "net.openvpn.v3.element-not-found: No requires queue element found");
  g_clear_error(&error);

  g_assert_false(ovpn3_client_queue_provide(q, 1, 5, 0, "x", &error));
  g_assert_cmpstr(error->message, ==, "User input not required");
  g_clear_error(&error);
  g_assert_false(ovpn3_client_queue_provide(q, 1, 1, 4, "x", &error));
  g_assert_cmpstr(error->message, ==,
                  "net.openvpn.v3.invalid-input: No matching entry found in the request queue");
  g_clear_error(&error);
  g_assert_false(ovpn3_client_queue_provide(q, 1, 1, 0, "\x01\x7f", &error));
  g_assert_cmpstr(error->message, ==,
                  "net.openvpn.v3.error.invalid-input: No value provided for RequiresSlot ID 0");
  g_clear_error(&error);
  g_assert_false(ovpn3_client_queue_provide(q, 1, 1, 0, long_value, &error));
  g_assert_nonnull(error);
  g_clear_error(&error);
  g_assert_true(ovpn3_client_queue_provide(q, 1, 1, 0, "alice", &error));
  ovpn3_client_queue_add(q, 1, 1, "password", "Auth Password", TRUE);
  g_assert_false(ovpn3_client_queue_provide(q, 1, 1, 0, "bob", &error));
  g_assert_cmpstr(error->message, ==,
                  "net.openvpn.v3.error.input-already-provided: Request ID 0 has already been "
                  "provided");
  g_clear_error(&error);
  g_assert_null(ovpn3_client_queue_fetch(q, 1, 1, 0, &error));
  g_assert_cmpstr(error->message, ==,
                  "net.openvpn.v3.already-provided: User input already provided");
  /* the pre-filled cookie is not listed */
  assert_print(ovpn3_client_queue_check(q, 1, 5), "[]");
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  ovpn3_error_register_all();
  g_test_add_func("/client/queue/ids-and-order", test_ids_and_order);
  g_test_add_func("/client/queue/errors", test_errors);
  return g_test_run();
}
