#define G_LOG_DOMAIN "ovpn3-fuzz-profile"

#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ovpn3-profile.h"

/* libFuzzer target for the profile lexer/allowlist.  Besides "no crash, no leak, no UB" it
 * checks the invariants the configuration manager relies on:
 *  - a refused profile gives an OVPN3_PROFILE_ERROR with the user-facing prefix;
 *  - an accepted profile renders to text that parses back to an equal profile;
 *  - its JSON form parses back to the same JSON. */

static void
check(gboolean ok, const char *what)
{
  if (!ok)
    {
      g_printerr("invariant broken: %s\n", what);
      abort();
    }
}

static void
quiet_log(const gchar *log_domain, GLogLevelFlags log_level, const gchar *message,
          gpointer user_data)
{
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(Ovpn3Profile) p = NULL;

  g_log_set_default_handler(quiet_log, NULL);
  p = ovpn3_profile_new_from_text((const char *) data, size, &error);
  if (p == NULL)
    {
      check(error != NULL && error->domain == OVPN3_PROFILE_ERROR, "error domain");
      check(g_str_has_prefix(error->message, "Invalid configuration profile: "), "error prefix");
      return 0;
    }
  check(error == NULL, "no error on success");

  g_autofree char *text = ovpn3_profile_render(p, OVPN3_PROFILE_RENDER_DEFAULT);
  g_autoptr(Ovpn3Profile) again = ovpn3_profile_new_from_text(text, -1, &error);
  check(again != NULL, "rendered profile parses");
  check(ovpn3_profile_equal(p, again), "render round trip is equal");

  g_autoptr(JsonNode) j1 = ovpn3_profile_to_json(p);
  g_autoptr(Ovpn3Profile) fromj = ovpn3_profile_new_from_json(j1, &error);
  check(fromj != NULL, "JSON parses back");
  g_autoptr(JsonNode) j2 = ovpn3_profile_to_json(fromj);
  check(json_node_equal(j1, j2), "JSON round trip is equal");

  /* exercise the queries */
  g_autoptr(GPtrArray) remotes = ovpn3_profile_get_remotes(p);
  g_autofree char *user = NULL;
  g_autofree char *pass = NULL;
  g_autofree char *challenge = NULL;
  g_auto(GStrv) reasons = NULL;
  gboolean echo = FALSE;
  g_autofree char *stripped = ovpn3_profile_render(p, OVPN3_PROFILE_RENDER_STRIP_CREDENTIALS);
  check(stripped != NULL && remotes != NULL, "queries");
  (void) ovpn3_profile_validate(p, NULL);
  (void) ovpn3_profile_needs_user_pass(p);
  (void) ovpn3_profile_get_inline_user_pass(p, &user, &pass);
  (void) ovpn3_profile_get_static_challenge(p, &challenge, &echo);
  (void) ovpn3_profile_has_encrypted_key(p);
  (void) ovpn3_profile_get_dev_type(p);
  (void) ovpn3_profile_get_verb(p);
  (void) ovpn3_profile_has_http_proxy(p);
  (void) ovpn3_profile_has_socks_proxy(p);
  (void) ovpn3_profile_needs_privileged_options(p, &reasons);
  return 0;
}
