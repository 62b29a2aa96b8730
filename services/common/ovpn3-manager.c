#define G_LOG_DOMAIN "ovpn3-manager"

#include "config.h"

#include "ovpn3-manager.h"

GVariant *
ovpn3_manager_get_property(gpointer object, const Ovpn3Caller *caller, const char *name,
                           GError **error)
{
  return ovpn3_manager_get_common_property(name, error);
}

void
ovpn3_manager_log(Ovpn3ServiceContext *ctx, Ovpn3LogCategory category, const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start(args, format);
  message = g_strdup_vprintf(format, args);
  va_end(args);
  if (ctx->log != NULL)
    ovpn3_log_client_log(ctx->log, category, "%s", message);
  else
    g_message("%s", message);
}
