#define G_LOG_DOMAIN "ovpn3-fuzz-profile"

#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ovpn3-profile.h"
#include "ovpn3-profile-lexer.h"
#include "ovpn3-profile-private.h"

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

/* A model of how openvpn 2.6 reads the rendered file (options.c read_config_file and
 * read_inline_file): fgets() pieces of at most 255 bytes; an option piece must hold a whole line;
 * a block ends at the first piece that starts (after blanks) with its closing tag.  Returns the
 * top-level directive names openvpn would see, in order. */
static GPtrArray *
openvpn_model(const char *text)
{
  GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
  g_autofree char *block_close = NULL;

  for (const char *p = text; *p != '\0';)
    {
      const char *nl = strchr(p, '\n');
      gsize plen = MIN(nl != NULL ? (gsize) (nl - p + 1) : strlen(p), 255);
      g_autofree char *piece = g_strndup(p, plen);
      g_auto(GStrv) tokens = NULL;

      p += plen;
      if (block_close != NULL)
        {
          const char *s = piece;
          while (g_ascii_isspace(*s))
            s++;
          if (g_str_has_prefix(s, block_close))
            g_clear_pointer(&block_close, g_free);
          continue;
        }
      check(piece[plen - 1] == '\n', "an option line fits openvpn's line buffer");
      check(ovpn3_profile_lex_tokenize(piece, plen - 1, 0, &tokens, NULL), "option line lexes");
      if (tokens[0] == NULL)
        continue;
      gsize t0 = strlen(tokens[0]);
      if (tokens[1] == NULL && t0 > 2 && tokens[0][0] == '<' && tokens[0][t0 - 1] == '>')
        {
          g_ptr_array_add(names, g_strndup(tokens[0] + 1, t0 - 2));
          block_close = g_strdup_printf("</%s>", (const char *) names->pdata[names->len - 1]);
          continue;
        }
      g_ptr_array_add(names, g_strdup(tokens[0]));
    }
  check(block_close == NULL, "every block is closed");
  return names;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(Ovpn3Profile) p = NULL;

  g_log_set_default_handler(quiet_log, NULL);

  /* The same input as a JSON state file: what from_json accepts must render to a profile the
   * text parser accepts as equal (a tampered file cannot smuggle anything past the allowlist). */
  if (size > 0 && data[0] == '{')
    {
      g_autofree char *json = g_strndup((const char *) data, size);
      g_autoptr(GError) jerror = NULL;
      g_autoptr(Ovpn3Profile) jp = ovpn3_profile_new_from_json_string(json, &jerror);
      if (jp != NULL)
        {
          g_autofree char *jtext = ovpn3_profile_render(jp, OVPN3_PROFILE_RENDER_DEFAULT);
          g_autoptr(Ovpn3Profile) jagain = ovpn3_profile_new_from_text(jtext, -1, &jerror);
          check(jagain != NULL, "JSON-made profile renders to a valid profile");
          check(ovpn3_profile_equal(jp, jagain), "JSON-made profile round trip is equal");
        }
      else
        check(jerror != NULL && jerror->domain == OVPN3_PROFILE_ERROR, "JSON error domain");
    }

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

  /* openvpn sees the same directives as we do */
  g_autoptr(GPtrArray) seen = openvpn_model(text);
  GPtrArray *ours = ovpn3_profile_get_directives(p);
  check(seen->len == ours->len, "openvpn sees as many directives");
  for (guint i = 0; i < ours->len; i++)
    check(strcmp(seen->pdata[i], ((Ovpn3ProfileDirective *) ours->pdata[i])->name) == 0,
          "openvpn sees the same directives");

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
  g_clear_pointer(&reasons, g_strfreev);
  (void) ovpn3_profile_engine_cannot_serve(p, &reasons);
  (void) ovpn3_profile_binds_locally(p);
  (void) ovpn3_profile_redirects_gateway(p);
  return 0;
}
