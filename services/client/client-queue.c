#define G_LOG_DOMAIN "ovpn3-client-queue"

#include "config.h"

#include <string.h>

#include "client-queue.h"
#include "ovpn3-error.h"

typedef struct
{
  guint type;
  guint group;
  guint id;
  char *name;
  char *description;
  gboolean hidden;
  gboolean provided;
  char *value; /* secret */
} Slot;

struct _Ovpn3ClientQueue
{
  GObject parent_instance;
  GPtrArray *slots;     /* Slot*, insertion order */
  GHashTable *next_ids; /* (type << 32 | group) -> next id */
};

G_DEFINE_TYPE(Ovpn3ClientQueue, ovpn3_client_queue, G_TYPE_OBJECT)

enum
{
  SIGNAL_PROVIDED,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

static void
wipe_string(char **value)
{
  if (*value != NULL)
    {
      explicit_bzero(*value, strlen(*value));
      g_clear_pointer(value, g_free);
    }
}

static void
slot_free(gpointer data)
{
  Slot *slot = data;

  wipe_string(&slot->value);
  g_free(slot->name);
  g_free(slot->description);
  g_free(slot);
}

static void
ovpn3_client_queue_finalize(GObject *object)
{
  Ovpn3ClientQueue *self = OVPN3_CLIENT_QUEUE(object);

  g_ptr_array_unref(self->slots);
  g_hash_table_unref(self->next_ids);
  G_OBJECT_CLASS(ovpn3_client_queue_parent_class)->finalize(object);
}

static void
ovpn3_client_queue_class_init(Ovpn3ClientQueueClass *klass)
{
  G_OBJECT_CLASS(klass)->finalize = ovpn3_client_queue_finalize;
  /* provided(type, group, id): a slot got its value through UserInputProvide. */
  signals[SIGNAL_PROVIDED]
      = g_signal_new("provided", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                     G_TYPE_NONE, 3, G_TYPE_UINT, G_TYPE_UINT, G_TYPE_UINT);
}

static void
ovpn3_client_queue_init(Ovpn3ClientQueue *self)
{
  self->slots = g_ptr_array_new_with_free_func(slot_free);
  self->next_ids = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
}

Ovpn3ClientQueue *
ovpn3_client_queue_new(void)
{
  return g_object_new(OVPN3_TYPE_CLIENT_QUEUE, NULL);
}

static guint
next_id(Ovpn3ClientQueue *self, guint type, guint group)
{
  gint64 key = ((gint64) type << 32) | group;
  gpointer value = g_hash_table_lookup(self->next_ids, &key);
  guint id = GPOINTER_TO_UINT(value);

  g_hash_table_insert(self->next_ids, g_memdup2(&key, sizeof key), GUINT_TO_POINTER(id + 1));
  return id;
}

static Slot *
add_slot(Ovpn3ClientQueue *self, guint type, guint group, const char *name, const char *description,
         gboolean hidden)
{
  Slot *slot = g_new0(Slot, 1);

  slot->type = type;
  slot->group = group;
  slot->id = next_id(self, type, group);
  slot->name = g_strdup(name);
  slot->description = g_strdup(description);
  slot->hidden = hidden;
  g_ptr_array_add(self->slots, slot);
  return slot;
}

guint
ovpn3_client_queue_add(Ovpn3ClientQueue *self, guint type, guint group, const char *name,
                       const char *description, gboolean hidden)
{
  g_return_val_if_fail(OVPN3_IS_CLIENT_QUEUE(self), 0);
  return add_slot(self, type, group, name, description, hidden)->id;
}

guint
ovpn3_client_queue_add_provided(Ovpn3ClientQueue *self, guint type, guint group, const char *name,
                                const char *description, gboolean hidden, const char *value)
{
  Slot *slot;

  g_return_val_if_fail(OVPN3_IS_CLIENT_QUEUE(self), 0);
  slot = add_slot(self, type, group, name, description, hidden);
  slot->provided = TRUE;
  slot->value = g_strdup(value != NULL ? value : "");
  return slot->id;
}

static Slot *
find_slot(Ovpn3ClientQueue *self, guint type, guint group, guint id)
{
  for (guint i = 0; i < self->slots->len; i++)
    {
      Slot *slot = g_ptr_array_index(self->slots, i);

      if (slot->type == type && slot->group == group && slot->id == id)
        return slot;
    }
  return NULL;
}

GVariant *
ovpn3_client_queue_get_type_group(Ovpn3ClientQueue *self)
{
  GVariantBuilder builder;
  g_autoptr(GArray) seen = g_array_new(FALSE, FALSE, sizeof(gint64));

  g_variant_builder_init(&builder, G_VARIANT_TYPE("a(uu)"));
  for (guint i = 0; i < self->slots->len; i++)
    {
      Slot *slot = g_ptr_array_index(self->slots, i);
      gint64 key = ((gint64) slot->type << 32) | slot->group;
      gboolean dup = FALSE;

      if (slot->provided)
        continue;
      for (guint j = 0; j < seen->len && !dup; j++)
        dup = g_array_index(seen, gint64, j) == key;
      if (dup)
        continue;
      g_array_append_val(seen, key);
      g_variant_builder_add(&builder, "(uu)", slot->type, slot->group);
    }
  return g_variant_builder_end(&builder);
}

GVariant *
ovpn3_client_queue_check(Ovpn3ClientQueue *self, guint type, guint group)
{
  GVariantBuilder builder;

  g_variant_builder_init(&builder, G_VARIANT_TYPE("au"));
  for (guint i = 0; i < self->slots->len; i++)
    {
      Slot *slot = g_ptr_array_index(self->slots, i);

      if (slot->type == type && slot->group == group && !slot->provided)
        g_variant_builder_add(&builder, "u", slot->id);
    }
  return g_variant_builder_end(&builder);
}

GVariant *
ovpn3_client_queue_fetch(Ovpn3ClientQueue *self, guint type, guint group, guint id, GError **error)
{
  Slot *slot = find_slot(self, type, group, id);

  if (slot == NULL)
    {
      g_set_error_literal(error, OVPN3_ERROR_REQUEST, OVPN3_ERROR_FAILED,
                          "net.openvpn.v3.element-not-found: No requires queue element found");
      return NULL;
    }
  if (slot->provided)
    {
      g_set_error_literal(error, OVPN3_ERROR_REQUEST, OVPN3_ERROR_FAILED,
                          "net.openvpn.v3.already-provided: User input already provided");
      return NULL;
    }
  return g_variant_new("(uuussb)", slot->type, slot->group, slot->id, slot->name, slot->description,
                       slot->hidden);
}

gboolean
ovpn3_client_queue_pending(Ovpn3ClientQueue *self, guint type, guint group)
{
  for (guint i = 0; i < self->slots->len; i++)
    {
      Slot *slot = g_ptr_array_index(self->slots, i);

      if (slot->type == type && slot->group == group && !slot->provided)
        return TRUE;
    }
  return FALSE;
}

/* The value without control characters (C0, DEL; C1 in UTF-8 too). */
static char *
strip_controls(const char *value)
{
  GString *out = g_string_sized_new(strlen(value));

  for (const char *p = value; *p != '\0'; p = g_utf8_next_char(p))
    {
      gunichar c = g_utf8_get_char(p);

      if (g_unichar_iscntrl(c))
        continue;
      g_string_append_unichar(out, c);
    }
  return g_string_free(out, FALSE);
}

gboolean
ovpn3_client_queue_provide(Ovpn3ClientQueue *self, guint type, guint group, guint id,
                           const char *value, GError **error)
{
  Slot *slot;
  g_autofree char *clean = NULL;

  if (!ovpn3_client_queue_pending(self, type, group))
    {
      g_set_error_literal(error, OVPN3_ERROR_REQUEST, OVPN3_ERROR_FAILED,
                          "User input not required");
      return FALSE;
    }
  slot = find_slot(self, type, group, id);
  if (slot == NULL)
    {
      g_set_error_literal(error, OVPN3_ERROR_REQUEST, OVPN3_ERROR_FAILED,
                          "net.openvpn.v3.invalid-input: No matching entry found in the request "
                          "queue");
      return FALSE;
    }
  if (slot->provided)
    {
      g_set_error(error, OVPN3_ERROR_REQUEST, OVPN3_ERROR_FAILED,
                  "net.openvpn.v3.error.input-already-provided: Request ID %u has already been "
                  "provided",
                  id);
      return FALSE;
    }
  if (!g_utf8_validate(value, -1, NULL))
    {
      g_set_error(error, OVPN3_ERROR_REQUEST, OVPN3_ERROR_FAILED,
                  "net.openvpn.v3.error.invalid-input: Invalid value for RequiresSlot ID %u", id);
      return FALSE;
    }
  clean = strip_controls(value);
  if (*clean == '\0')
    {
      g_set_error(error, OVPN3_ERROR_REQUEST, OVPN3_ERROR_FAILED,
                  "net.openvpn.v3.error.invalid-input: No value provided for RequiresSlot ID %u",
                  id);
      explicit_bzero(clean, strlen(clean));
      return FALSE;
    }
  if (g_utf8_strlen(clean, -1) > OVPN3_CLIENT_QUEUE_MAX_VALUE)
    {
      g_set_error(error, OVPN3_ERROR_REQUEST, OVPN3_ERROR_FAILED,
                  "net.openvpn.v3.error.invalid-input: Value too long for RequiresSlot ID %u "
                  "(at most %d characters)",
                  id, OVPN3_CLIENT_QUEUE_MAX_VALUE);
      explicit_bzero(clean, strlen(clean));
      return FALSE;
    }
  wipe_string(&slot->value);
  slot->value = g_steal_pointer(&clean);
  slot->provided = TRUE;
  g_signal_emit(self, signals[SIGNAL_PROVIDED], 0, type, group, id);
  return TRUE;
}

gboolean
ovpn3_client_queue_complete(Ovpn3ClientQueue *self)
{
  for (guint i = 0; i < self->slots->len; i++)
    if (!((Slot *) g_ptr_array_index(self->slots, i))->provided)
      return FALSE;
  return TRUE;
}

const char *
ovpn3_client_queue_get_value(Ovpn3ClientQueue *self, guint type, guint group, const char *name)
{
  for (guint i = self->slots->len; i > 0; i--)
    {
      Slot *slot = g_ptr_array_index(self->slots, i - 1);

      if (slot->type == type && slot->group == group && g_strcmp0(slot->name, name) == 0
          && slot->provided && slot->value != NULL)
        return slot->value;
    }
  return NULL;
}

gboolean
ovpn3_client_queue_has_slot(Ovpn3ClientQueue *self, guint type, guint group, const char *name)
{
  for (guint i = 0; i < self->slots->len; i++)
    {
      Slot *slot = g_ptr_array_index(self->slots, i);

      if (slot->type == type && slot->group == group && g_strcmp0(slot->name, name) == 0)
        return TRUE;
    }
  return FALSE;
}

void
ovpn3_client_queue_forget(Ovpn3ClientQueue *self, guint type, guint group)
{
  for (guint i = 0; i < self->slots->len; i++)
    {
      Slot *slot = g_ptr_array_index(self->slots, i);

      if (slot->type == type && slot->group == group)
        wipe_string(&slot->value);
    }
}
