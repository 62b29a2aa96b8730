#define G_LOG_DOMAIN "ovpn3-config-peers"

#include "config.h"

#include "config-peers.h"
#include "ovpn3-acl.h"

gboolean
ovpn3_config_peer_is_backend_of(const Ovpn3Caller *caller, const char *config_path)
{
  return ovpn3_uid_is_service_user(caller->uid) && caller->role == OVPN3_PEER_ROLE_BACKEND
         && caller->backend != NULL && g_strcmp0(caller->backend->config_path, config_path) == 0;
}

gboolean
ovpn3_config_peer_may_read(const Ovpn3Caller *caller, const char *config_path)
{
  if (!ovpn3_uid_is_service_user(caller->uid))
    return FALSE;
  return caller->role == OVPN3_PEER_ROLE_SESSION_MANAGER
         || ovpn3_config_peer_is_backend_of(caller, config_path);
}
