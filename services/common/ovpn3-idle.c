#define G_LOG_DOMAIN "ovpn3-idle"

#include "config.h"

#include "ovpn3-idle.h"

struct _Ovpn3Idle
{
  GObject parent_instance;
  guint timeout;
  guint holds;
  guint source_id;
  gboolean fired;
};

G_DEFINE_TYPE(Ovpn3Idle, ovpn3_idle, G_TYPE_OBJECT)

enum
{
  SIGNAL_IDLE,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

static void arm(Ovpn3Idle *self);

static gboolean
on_timeout(gpointer user_data)
{
  Ovpn3Idle *self = user_data;

  self->source_id = 0;
  if (self->holds > 0 || self->fired)
    return G_SOURCE_REMOVE;
  self->fired = TRUE;
  g_debug("idle for %u s, nothing held: exiting", self->timeout);
  g_signal_emit(self, signals[SIGNAL_IDLE], 0);
  return G_SOURCE_REMOVE;
}

static void
arm(Ovpn3Idle *self)
{
  g_clear_handle_id(&self->source_id, g_source_remove);
  if (self->timeout == 0 || self->holds > 0 || self->fired)
    return;
  self->source_id = g_timeout_add_seconds(self->timeout, on_timeout, self);
}

static void
ovpn3_idle_finalize(GObject *object)
{
  Ovpn3Idle *self = OVPN3_IDLE(object);

  g_clear_handle_id(&self->source_id, g_source_remove);
  G_OBJECT_CLASS(ovpn3_idle_parent_class)->finalize(object);
}

static void
ovpn3_idle_class_init(Ovpn3IdleClass *klass)
{
  G_OBJECT_CLASS(klass)->finalize = ovpn3_idle_finalize;
  signals[SIGNAL_IDLE] = g_signal_new("idle", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                      NULL, NULL, G_TYPE_NONE, 0);
}

static void
ovpn3_idle_init(Ovpn3Idle *self)
{
}

Ovpn3Idle *
ovpn3_idle_new(guint timeout_seconds)
{
  Ovpn3Idle *self = g_object_new(OVPN3_TYPE_IDLE, NULL);

  self->timeout = timeout_seconds;
  arm(self);
  return self;
}

guint
ovpn3_idle_get_timeout(Ovpn3Idle *self)
{
  return self->timeout;
}

void
ovpn3_idle_set_timeout(Ovpn3Idle *self, guint timeout_seconds)
{
  self->timeout = timeout_seconds;
  arm(self);
}

void
ovpn3_idle_touch(Ovpn3Idle *self)
{
  arm(self);
}

void
ovpn3_idle_hold(Ovpn3Idle *self)
{
  self->holds++;
  arm(self);
}

void
ovpn3_idle_release(Ovpn3Idle *self)
{
  g_return_if_fail(self->holds > 0);
  self->holds--;
  arm(self);
}

guint
ovpn3_idle_get_holds(Ovpn3Idle *self)
{
  return self->holds;
}
