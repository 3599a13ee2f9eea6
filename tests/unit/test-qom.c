/*
 * QOM core: types, interfaces, casts, lifetime, composition tree.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qom/object.h"

/* Every init/finalize/unparent callback appends its name here. */
static GString *events;

static void record(const char *what)
{
    if (events->len) {
        g_string_append_c(events, ',');
    }
    g_string_append(events, what);
}

static char *take_events(void)
{
    char *s = g_strdup(events->str);

    g_string_truncate(events, 0);
    return s;
}

static int finalize_count;

/* --- interfaces --------------------------------------------------------- */

#define TYPE_TEST_WALKER "test-walker"
typedef struct Walker Walker;
typedef struct WalkerClass {
    InterfaceClass parent_class;
    int (*legs)(Walker *w);
} WalkerClass;
DECLARE_CLASS_CHECKERS(WalkerClass, WALKER, TYPE_TEST_WALKER)
DECLARE_INTERFACE_CHECKER(Walker, WALKER, TYPE_TEST_WALKER)

#define TYPE_TEST_SWIMMER "test-swimmer"
typedef struct Swimmer Swimmer;
typedef struct SwimmerClass {
    InterfaceClass parent_class;
    const char *(*stroke)(Swimmer *s);
} SwimmerClass;
#define SWIMMER(obj) INTERFACE_CHECK(Swimmer, (obj), TYPE_TEST_SWIMMER)
#define SWIMMER_GET_CLASS(obj) \
    OBJECT_GET_CLASS(SwimmerClass, (obj), TYPE_TEST_SWIMMER)

static int walker_default_legs(Walker *w)
{
    return 2;
}

static void walker_class_init(ObjectClass *oc, void *data)
{
    WALKER_CLASS(oc)->legs = walker_default_legs;
}

static const char *swimmer_default_stroke(Swimmer *s)
{
    return "paddle";
}

static void swimmer_class_init(ObjectClass *oc, void *data)
{
    SwimmerClass *sc = OBJECT_CLASS_CHECK(SwimmerClass, oc,
                                          TYPE_TEST_SWIMMER);

    sc->stroke = swimmer_default_stroke;
}

/* --- animal (abstract) -> dog -> puppy; animal -> fish; animal -> duck --- */

#define TYPE_TEST_ANIMAL "test-animal"
OBJECT_DECLARE_TYPE(Animal, AnimalClass, TEST_ANIMAL)

struct Animal {
    Object parent_obj;
    int id;
};

struct AnimalClass {
    ObjectClass parent_class;
    const char *sound;
};

#define TYPE_TEST_DOG "test-dog"
OBJECT_DECLARE_SIMPLE_TYPE(Dog, TEST_DOG)

struct Dog {
    Animal parent_obj;
    uint64_t bones;
};

#define TYPE_TEST_PUPPY "test-puppy"
#define TYPE_TEST_FISH "test-fish"
#define TYPE_TEST_DUCK "test-duck"

static GHashTable *base_init_classes;

static void animal_init(Object *obj)
{
    record("animal-init");
}

static void animal_finalize(Object *obj)
{
    record("animal-finalize");
    finalize_count++;
}

static void animal_class_base_init(ObjectClass *oc, void *data)
{
    g_hash_table_add(base_init_classes,
                     (gpointer)object_class_get_name(oc));
}

static void animal_class_init(ObjectClass *oc, void *data)
{
    TEST_ANIMAL_CLASS(oc)->sound = "...";
}

static void dog_init(Object *obj)
{
    /* Parent init ran first: the Animal part is usable. */
    TEST_ANIMAL(obj)->id = 7;
    record("dog-init");
}

static void dog_post_init(Object *obj)
{
    record("dog-post-init");
}

static void dog_finalize(Object *obj)
{
    record("dog-finalize");
}

static void dog_unparent(Object *obj)
{
    record("dog-unparent");
}

static int dog_legs(Walker *w)
{
    return 4;
}

static void dog_class_init(ObjectClass *oc, void *data)
{
    TEST_ANIMAL_CLASS(oc)->sound = data;
    WALKER_CLASS(oc)->legs = dog_legs;
    oc->unparent = dog_unparent;
}

static void puppy_init(Object *obj)
{
    record("puppy-init");
}

static void puppy_post_init(Object *obj)
{
    record("puppy-post-init");
}

static void puppy_finalize(Object *obj)
{
    record("puppy-finalize");
}

static const char *duck_stroke(Swimmer *s)
{
    return "webbed";
}

static void duck_class_init(ObjectClass *oc, void *data)
{
    SwimmerClass *sc = OBJECT_CLASS_CHECK(SwimmerClass, oc,
                                          TYPE_TEST_SWIMMER);

    sc->stroke = duck_stroke;
}

/*
 * Interface inheritance: runner and climber both derive from mover.
 * "test-cat" implements both, so casting it to mover is ambiguous.
 */
#define TYPE_TEST_MOVER "test-mover"
#define TYPE_TEST_RUNNER "test-runner"
#define TYPE_TEST_CLIMBER "test-climber"
#define TYPE_TEST_CAT "test-cat"
#define TYPE_TEST_HORSE "test-horse"

static const TypeInfo test_types[] = {
    {
        .name = TYPE_TEST_MOVER,
        .parent = TYPE_INTERFACE,
    },
    {
        .name = TYPE_TEST_RUNNER,
        .parent = TYPE_TEST_MOVER,
    },
    {
        .name = TYPE_TEST_CLIMBER,
        .parent = TYPE_TEST_MOVER,
    },
    {
        .name = TYPE_TEST_CAT,
        .parent = TYPE_OBJECT,
        .instance_size = sizeof(Object),
        .interfaces = (InterfaceInfo[]) {
            { TYPE_TEST_RUNNER },
            { TYPE_TEST_CLIMBER },
            { }
        },
    },
    {
        .name = TYPE_TEST_HORSE,
        .parent = TYPE_OBJECT,
        .instance_size = sizeof(Object),
        .interfaces = (InterfaceInfo[]) {
            { TYPE_TEST_RUNNER },
            { }
        },
    },
    {
        .name = TYPE_TEST_WALKER,
        .parent = TYPE_INTERFACE,
        .class_size = sizeof(WalkerClass),
        .class_init = walker_class_init,
    },
    {
        .name = TYPE_TEST_SWIMMER,
        .parent = TYPE_INTERFACE,
        .class_size = sizeof(SwimmerClass),
        .class_init = swimmer_class_init,
    },
    {
        .name = TYPE_TEST_ANIMAL,
        .parent = TYPE_OBJECT,
        .abstract = true,
        .instance_size = sizeof(Animal),
        .instance_init = animal_init,
        .instance_finalize = animal_finalize,
        .class_size = sizeof(AnimalClass),
        .class_init = animal_class_init,
        .class_base_init = animal_class_base_init,
    },
    {
        .name = TYPE_TEST_DOG,
        .parent = TYPE_TEST_ANIMAL,
        .instance_size = sizeof(Dog),
        .instance_init = dog_init,
        .instance_post_init = dog_post_init,
        .instance_finalize = dog_finalize,
        .class_init = dog_class_init,
        .class_data = (void *)"woof",
        .interfaces = (InterfaceInfo[]) {
            { TYPE_TEST_WALKER },
            { }
        },
    },
    {
        .name = TYPE_TEST_PUPPY,
        .parent = TYPE_TEST_DOG,
        .instance_init = puppy_init,
        .instance_post_init = puppy_post_init,
        .instance_finalize = puppy_finalize,
        .interfaces = (InterfaceInfo[]) {
            { TYPE_TEST_SWIMMER },
            { }
        },
    },
    {
        .name = TYPE_TEST_FISH,
        .parent = TYPE_TEST_ANIMAL,
        .interfaces = (InterfaceInfo[]) {
            { TYPE_TEST_SWIMMER },
            { }
        },
    },
    {
        .name = TYPE_TEST_DUCK,
        .parent = TYPE_TEST_ANIMAL,
        .class_init = duck_class_init,
        .interfaces = (InterfaceInfo[]) {
            { TYPE_TEST_WALKER },
            { TYPE_TEST_SWIMMER },
            { }
        },
    },
};

DEFINE_TYPES(test_types)

/* --- tests ------------------------------------------------------------ */

static void test_type_hierarchy(void)
{
    ObjectClass *puppy = object_class_by_name(TYPE_TEST_PUPPY);
    ObjectClass *k;
    GString *chain = g_string_new(NULL);

    g_assert_nonnull(puppy);
    for (k = puppy; k; k = object_class_get_parent(k)) {
        g_string_append_printf(chain, "%s/", object_class_get_name(k));
    }
    g_assert_cmpstr(chain->str, ==, "test-puppy/test-dog/test-animal/object/");
    g_string_free(chain, true);

    g_assert_true(object_class_is_abstract(
                      object_class_by_name(TYPE_TEST_ANIMAL)));
    g_assert_false(object_class_is_abstract(puppy));
    g_assert_null(object_class_by_name("no-such-type"));

    g_assert_true(object_class_dynamic_cast(puppy, TYPE_TEST_ANIMAL) ==
                  puppy);
    g_assert_true(object_class_dynamic_cast(puppy, TYPE_OBJECT) == puppy);
    g_assert_null(object_class_dynamic_cast(
                      object_class_by_name(TYPE_TEST_DOG), TYPE_TEST_PUPPY));
    g_assert_null(object_class_dynamic_cast(puppy, TYPE_TEST_FISH));
    g_assert_null(object_class_dynamic_cast(puppy, "no-such-type"));

    g_assert_cmpuint(object_type_get_instance_size(TYPE_TEST_PUPPY), ==,
                     sizeof(Dog));
    /* class_data reached class_init; subclasses inherit the class copy. */
    g_assert_cmpstr(TEST_ANIMAL_CLASS(puppy)->sound, ==, "woof");
    g_assert_cmpstr(TEST_ANIMAL_CLASS(object_class_by_name(TYPE_TEST_FISH))
                    ->sound, ==, "...");
}

static void test_class_base_init(void)
{
    GSList *all = object_class_get_list(TYPE_TEST_ANIMAL, true);

    g_slist_free(all);
    /* Ancestors' class_base_init runs for every subclass, not itself. */
    g_assert_cmpuint(g_hash_table_size(base_init_classes), ==, 4);
    g_assert_true(g_hash_table_contains(base_init_classes, TYPE_TEST_DOG));
    g_assert_true(g_hash_table_contains(base_init_classes, TYPE_TEST_PUPPY));
    g_assert_true(g_hash_table_contains(base_init_classes, TYPE_TEST_FISH));
    g_assert_true(g_hash_table_contains(base_init_classes, TYPE_TEST_DUCK));
}

static void test_interface_casts(void)
{
    Object *dog = object_new(TYPE_TEST_DOG);
    Object *puppy = object_new(TYPE_TEST_PUPPY);
    Object *fish = object_new(TYPE_TEST_FISH);
    Object *duck = object_new(TYPE_TEST_DUCK);

    /* Casting to an interface yields the object itself. */
    g_assert_true((void *)WALKER(dog) == (void *)dog);
    g_assert_true(object_dynamic_cast(dog, TYPE_TEST_WALKER) == dog);
    g_assert_null(object_dynamic_cast(dog, TYPE_TEST_SWIMMER));

    /* Inherited from the parent class, plus its own. */
    g_assert_true(object_dynamic_cast(puppy, TYPE_TEST_WALKER) == puppy);
    g_assert_true(object_dynamic_cast(puppy, TYPE_TEST_SWIMMER) == puppy);

    g_assert_null(object_dynamic_cast(fish, TYPE_TEST_WALKER));
    g_assert_true(object_dynamic_cast(fish, TYPE_TEST_SWIMMER) == fish);

    /* Two interfaces on one class. */
    g_assert_true(object_dynamic_cast(duck, TYPE_TEST_WALKER) == duck);
    g_assert_true(object_dynamic_cast(duck, TYPE_TEST_SWIMMER) == duck);
    g_assert_null(object_dynamic_cast(duck, TYPE_TEST_DOG));

    /* Interface methods: default, override, inherited override. */
    g_assert_cmpint(WALKER_GET_CLASS(dog)->legs(WALKER(dog)), ==, 4);
    g_assert_cmpint(WALKER_GET_CLASS(puppy)->legs(WALKER(puppy)), ==, 4);
    g_assert_cmpint(WALKER_GET_CLASS(duck)->legs(WALKER(duck)), ==, 2);
    g_assert_cmpstr(SWIMMER_GET_CLASS(fish)->stroke(SWIMMER(fish)), ==,
                    "paddle");
    g_assert_cmpstr(SWIMMER_GET_CLASS(duck)->stroke(SWIMMER(duck)), ==,
                    "webbed");

    /* Each concrete class has its own interface class. */
    g_assert_true((void *)WALKER_GET_CLASS(dog) !=
                  (void *)WALKER_GET_CLASS(puppy));
    g_assert_true(INTERFACE_CLASS(WALKER_GET_CLASS(puppy))->concrete_class ==
                  object_get_class(puppy));
    g_assert_null(object_class_dynamic_cast(object_get_class(fish),
                                            TYPE_TEST_WALKER));

    /* Typed instance casts. */
    g_assert_true(TEST_DOG(puppy) == (Dog *)puppy);
    g_assert_cmpint(TEST_ANIMAL(puppy)->id, ==, 7);
    g_assert_cmpstr(object_get_typename(puppy), ==, TYPE_TEST_PUPPY);
    g_assert_null(TEST_DOG(NULL));

    object_unref(dog);
    object_unref(puppy);
    object_unref(fish);
    object_unref(duck);
    g_string_truncate(events, 0);
}

static void test_interface_inheritance(void)
{
    Object *cat = object_new(TYPE_TEST_CAT);
    Object *horse = object_new(TYPE_TEST_HORSE);

    g_assert_true(object_dynamic_cast(horse, TYPE_TEST_RUNNER) == horse);
    /* A parent interface is implemented through its child. */
    g_assert_true(object_dynamic_cast(horse, TYPE_TEST_MOVER) == horse);
    g_assert_null(object_dynamic_cast(horse, TYPE_TEST_CLIMBER));

    g_assert_true(object_dynamic_cast(cat, TYPE_TEST_RUNNER) == cat);
    g_assert_true(object_dynamic_cast(cat, TYPE_TEST_CLIMBER) == cat);
    /* Two paths to mover: ambiguous, so no cast (as in QEMU). */
    g_assert_null(object_dynamic_cast(cat, TYPE_TEST_MOVER));

    object_unref(cat);
    object_unref(horse);
}

static void test_bad_cast_aborts(void)
{
    if (g_test_subprocess()) {
        Object *fish = object_new(TYPE_TEST_FISH);

        TEST_DOG(fish);
        return;
    }
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_failed();
    g_test_trap_assert_stderr("*(type 'test-fish') is not an instance of "
                              "type 'test-dog'*");
}

static void test_bad_interface_cast_aborts(void)
{
    if (g_test_subprocess()) {
        Object *fish = object_new(TYPE_TEST_FISH);

        WALKER(fish);
        return;
    }
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_failed();
    g_test_trap_assert_stderr("*(type 'test-fish') is not an instance of "
                              "type 'test-walker'*");
}

static void test_abstract_new_aborts(void)
{
    if (g_test_subprocess()) {
        object_new(TYPE_TEST_ANIMAL);
        return;
    }
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_failed();
    g_test_trap_assert_stderr("*object type 'test-animal' is abstract*");
}

static void test_init_finalize_order(void)
{
    Object *obj;
    g_autofree char *init = NULL;
    g_autofree char *fin = NULL;

    g_string_truncate(events, 0);
    obj = object_new(TYPE_TEST_PUPPY);
    init = take_events();
    g_assert_cmpstr(init, ==, "animal-init,dog-init,puppy-init,"
                    "puppy-post-init,dog-post-init");
    object_unref(obj);
    fin = take_events();
    g_assert_cmpstr(fin, ==, "puppy-finalize,dog-finalize,animal-finalize");
}

static void test_refcount(void)
{
    Object *obj = object_new(TYPE_TEST_DOG);

    finalize_count = 0;
    g_assert_true(object_ref(obj) == obj);
    object_unref(obj);
    g_assert_cmpint(finalize_count, ==, 0);
    object_unref(obj);
    g_assert_cmpint(finalize_count, ==, 1);

    /* NULL is accepted by both. */
    g_assert_null(object_ref(NULL));
    object_unref(NULL);
    g_string_truncate(events, 0);
}

static void test_children_lifetime(void)
{
    Object *parent = object_new(TYPE_CONTAINER);
    Object *a = object_new(TYPE_TEST_DOG);
    Object *b = object_new(TYPE_TEST_FISH);
    g_autofree char *ev = NULL;

    finalize_count = 0;
    object_property_add_child(parent, "a", a);
    object_property_add_child(parent, "b", b);
    object_unref(a);
    object_unref(b);
    /* The parent holds the only references now. */
    g_assert_cmpint(finalize_count, ==, 0);
    g_assert_true(a->parent == parent);

    g_string_truncate(events, 0);
    object_unparent(a);
    g_assert_cmpint(finalize_count, ==, 1);
    ev = take_events();
    g_assert_cmpstr(ev, ==, "dog-unparent,dog-finalize,animal-finalize");
    g_assert_null(object_resolve_path_component(parent, "a"));

    /* Finalizing the parent finalizes the remaining child exactly once. */
    object_unref(parent);
    g_assert_cmpint(finalize_count, ==, 2);
    g_string_truncate(events, 0);
}

typedef struct Holder {
    uint64_t before;
    Dog dog;
    uint64_t after;
} Holder;

static void test_embedded(void)
{
    Holder h = { .before = 0x1111, .after = 0x2222 };
    Object *parent = object_new(TYPE_CONTAINER);
    Holder *heap = g_new0(Holder, 1);
    g_autofree char *ev = NULL;

    finalize_count = 0;
    /* On the stack: finalize must not try to free it. */
    object_initialize(&h.dog, sizeof(h.dog), TYPE_TEST_DOG);
    g_assert_cmpint(TEST_ANIMAL(&h.dog)->id, ==, 7);
    g_assert_true(object_dynamic_cast(OBJECT(&h.dog), TYPE_TEST_WALKER) ==
                  OBJECT(&h.dog));
    object_unref(&h.dog);
    g_assert_cmpint(finalize_count, ==, 1);
    g_assert_cmpuint(h.before, ==, 0x1111);
    g_assert_cmpuint(h.after, ==, 0x2222);

    /* As a child: the parent holds the only reference. */
    object_initialize_child(parent, "embedded", &heap->dog, TYPE_TEST_DOG);
    g_assert_cmpuint(OBJECT(&heap->dog)->ref, ==, 1);
    g_assert_true(object_resolve_path_component(parent, "embedded") ==
                  OBJECT(&heap->dog));
    g_string_truncate(events, 0);
    object_unparent(OBJECT(&heap->dog));
    g_assert_cmpint(finalize_count, ==, 2);
    ev = take_events();
    g_assert_cmpstr(ev, ==, "dog-unparent,dog-finalize,animal-finalize");
    g_free(heap);
    object_unref(parent);
}

/* Build /machine/peripheral/dog0 and /machine/other/{dog0 (fish), x}. */
static Object *build_tree(Object **dog0, Object **fish0)
{
    Object *machine = container_get(object_get_root(), "/machine");
    Object *periph = container_get(machine, "peripheral");
    Object *other = container_get(object_get_root(), "/machine/other");

    *dog0 = object_new(TYPE_TEST_DOG);
    object_property_add_child(periph, "dog0", *dog0);
    object_unref(*dog0);
    *fish0 = object_new(TYPE_TEST_FISH);
    object_property_add_child(other, "dog0", *fish0);
    object_unref(*fish0);
    return machine;
}

static void test_canonical_path(void)
{
    Object *dog0, *fish0;
    Object *machine = build_tree(&dog0, &fish0);
    Object *loose = object_new(TYPE_TEST_DOG);
    g_autofree char *root_path = object_get_canonical_path(object_get_root());
    g_autofree char *p1 = object_get_canonical_path(dog0);
    g_autofree char *p2 = object_get_canonical_path(machine);
    g_autofree char *p3 = object_get_canonical_path(object_get_objects_root());

    g_assert_cmpstr(root_path, ==, "/");
    g_assert_cmpstr(p1, ==, "/machine/peripheral/dog0");
    g_assert_cmpstr(p2, ==, "/machine");
    g_assert_cmpstr(p3, ==, "/objects");
    g_assert_cmpstr(object_get_canonical_path_component(dog0), ==, "dog0");
    g_assert_null(object_get_canonical_path_component(object_get_root()));

    /* Not in the tree. */
    g_assert_null(object_get_canonical_path(loose));
    g_assert_null(object_get_canonical_path_component(loose));
    object_unref(loose);

    /* container_get() returns existing containers. */
    g_assert_true(container_get(object_get_root(), "/machine") == machine);
    g_assert_true(container_get(machine, "peripheral") ==
                  object_resolve_path("/machine/peripheral", NULL));
    /* Internal root is not reachable from "/". */
    g_assert_true(object_get_internal_root() != object_get_root());
    g_assert_null(object_get_canonical_path(object_get_internal_root()));

    object_unparent(machine);
    g_string_truncate(events, 0);
}

static void test_resolve_path(void)
{
    Object *dog0, *fish0;
    Object *machine = build_tree(&dog0, &fish0);
    bool ambiguous = true;

    g_assert_true(object_resolve_path("/machine/peripheral/dog0",
                                      &ambiguous) == dog0);
    g_assert_false(ambiguous);
    g_assert_true(object_resolve_path("/machine/other/dog0", NULL) == fish0);
    g_assert_true(object_resolve_path("/", NULL) == object_get_root());
    g_assert_true(object_resolve_path("//machine//peripheral/dog0", NULL) ==
                  dog0);

    /* Partial paths. */
    g_assert_true(object_resolve_path("peripheral/dog0", &ambiguous) == dog0);
    g_assert_false(ambiguous);
    g_assert_true(object_resolve_path("other", &ambiguous) ==
                  container_get(machine, "other"));
    g_assert_null(object_resolve_path("dog0", &ambiguous));
    g_assert_true(ambiguous);

    /* A type filter disambiguates. */
    g_assert_true(object_resolve_path_type("dog0", TYPE_TEST_FISH,
                                           &ambiguous) == fish0);
    g_assert_false(ambiguous);
    g_assert_true(object_resolve_path_type("dog0", TYPE_TEST_WALKER,
                                           &ambiguous) == dog0);
    g_assert_false(ambiguous);
    g_assert_null(object_resolve_path_type("/machine/peripheral/dog0",
                                           TYPE_TEST_FISH, NULL));

    /* Missing paths. */
    g_assert_null(object_resolve_path("/machine/nothing", &ambiguous));
    g_assert_false(ambiguous);
    g_assert_null(object_resolve_path("nothing", &ambiguous));
    g_assert_false(ambiguous);

    /* Relative to an object. */
    g_assert_true(object_resolve_path_at(machine, "peripheral/dog0") ==
                  dog0);
    g_assert_true(object_resolve_path_at(machine, "/machine/other/dog0") ==
                  fish0);
    g_assert_true(object_resolve_path_component(
                      container_get(machine, "other"), "dog0") == fish0);
    g_assert_null(object_resolve_path_component(machine, "dog0"));

    object_unparent(machine);
    g_string_truncate(events, 0);
}

static void test_auto_number(void)
{
    Object *parent = object_new(TYPE_CONTAINER);
    Object *c[4];
    int i;

    for (i = 0; i < 3; i++) {
        c[i] = object_new(TYPE_TEST_FISH);
        object_property_add_child(parent, "slot[*]", c[i]);
        object_unref(c[i]);
    }
    g_assert_cmpstr(object_get_canonical_path_component(c[0]), ==,
                    "slot[0]");
    g_assert_cmpstr(object_get_canonical_path_component(c[2]), ==,
                    "slot[2]");
    object_unparent(c[1]);
    c[3] = object_new(TYPE_TEST_FISH);
    object_property_add_child(parent, "slot[*]", c[3]);
    object_unref(c[3]);
    g_assert_cmpstr(object_get_canonical_path_component(c[3]), ==,
                    "slot[1]");
    g_assert_true(object_resolve_path_component(parent, "slot[1]") == c[3]);
    object_unref(parent);
    g_string_truncate(events, 0);
}

static void test_duplicate_child(void)
{
    Object *parent = object_new(TYPE_CONTAINER);
    Object *a = object_new(TYPE_TEST_FISH);
    Object *b = object_new(TYPE_TEST_FISH);
    Error *err = NULL;

    object_property_add_child(parent, "x", a);
    g_assert_null(object_property_try_add_child(parent, "x", b, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "attempt to add duplicate property 'x' to object "
                    "(type 'container')");
    error_free(err);
    /* The failed add took no reference and set no parent. */
    g_assert_null(b->parent);
    finalize_count = 0;
    object_unref(b);
    g_assert_cmpint(finalize_count, ==, 1);

    object_unref(a);
    object_unref(parent);
    g_assert_cmpint(finalize_count, ==, 2);
    g_string_truncate(events, 0);
}

static int collect_child(Object *child, void *opaque)
{
    GString *s = opaque;

    g_string_append_printf(s, "%s ",
                           object_get_canonical_path_component(child));
    return !strcmp(object_get_canonical_path_component(child), "stop") ? 42
                                                                        : 0;
}

static void test_child_foreach(void)
{
    Object *root = object_new(TYPE_CONTAINER);
    GString *s = g_string_new(NULL);
    const char *names[] = { "zeta", "alpha", "mid" };
    size_t i;

    for (i = 0; i < ARRAY_SIZE(names); i++) {
        Object *c = object_new(TYPE_CONTAINER);

        object_property_add_child(root, names[i], c);
        object_unref(c);
    }
    container_get(root, "alpha/inner");
    /* A non-child property is not visited. */
    object_property_add_const_link(root, "link", root);

    g_assert_cmpint(object_child_foreach(root, collect_child, s), ==, 0);
    g_assert_cmpstr(s->str, ==, "zeta alpha mid ");
    g_string_truncate(s, 0);
    g_assert_cmpint(object_child_foreach_recursive(root, collect_child, s),
                    ==, 0);
    g_assert_cmpstr(s->str, ==, "zeta alpha inner mid ");

    container_get(root, "stop");
    container_get(root, "after");
    g_string_truncate(s, 0);
    g_assert_cmpint(object_child_foreach(root, collect_child, s), ==, 42);
    g_assert_cmpstr(s->str, ==, "zeta alpha mid stop ");

    g_string_free(s, true);
    object_unref(root);
}

static gint compare_names(gconstpointer a, gconstpointer b)
{
    return strcmp(a, b);
}

static char *class_list_names(GSList *list)
{
    GString *s = g_string_new(NULL);
    GSList *e;

    for (e = list; e; e = e->next) {
        g_string_append_printf(s, "%s ", object_class_get_name(e->data));
    }
    g_slist_free(list);
    return g_string_free(s, false);
}

static void count_class(ObjectClass *klass, void *opaque)
{
    GSList **names = opaque;

    *names = g_slist_insert_sorted(*names,
                                   (gpointer)object_class_get_name(klass),
                                   compare_names);
}

static void test_class_list(void)
{
    g_autofree char *animals = class_list_names(
        object_class_get_list_sorted(TYPE_TEST_ANIMAL, false));
    g_autofree char *with_abstract = class_list_names(
        object_class_get_list_sorted(TYPE_TEST_ANIMAL, true));
    g_autofree char *walkers = class_list_names(
        object_class_get_list_sorted(TYPE_TEST_WALKER, false));
    g_autofree char *swimmers = class_list_names(
        object_class_get_list_sorted(TYPE_TEST_SWIMMER, false));
    GSList *names = NULL;

    g_assert_cmpstr(animals, ==,
                    "test-dog test-duck test-fish test-puppy ");
    g_assert_cmpstr(with_abstract, ==,
                    "test-animal test-dog test-duck test-fish test-puppy ");
    g_assert_cmpstr(walkers, ==, "test-dog test-duck test-puppy ");
    g_assert_cmpstr(swimmers, ==, "test-duck test-fish test-puppy ");

    object_class_foreach(count_class, TYPE_TEST_DOG, false, &names);
    g_assert_cmpuint(g_slist_length(names), ==, 2);
    g_assert_cmpstr(names->data, ==, TYPE_TEST_DOG);
    g_assert_cmpstr(names->next->data, ==, TYPE_TEST_PUPPY);
    g_slist_free(names);
}

int main(int argc, char **argv)
{
    events = g_string_new(NULL);
    base_init_classes = g_hash_table_new(g_str_hash, g_str_equal);

    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/qom/type-hierarchy", test_type_hierarchy);
    g_test_add_func("/qom/class-base-init", test_class_base_init);
    g_test_add_func("/qom/interface-casts", test_interface_casts);
    g_test_add_func("/qom/interface-inheritance",
                    test_interface_inheritance);
    g_test_add_func("/qom/bad-cast-aborts", test_bad_cast_aborts);
    g_test_add_func("/qom/bad-interface-cast-aborts",
                    test_bad_interface_cast_aborts);
    g_test_add_func("/qom/abstract-new-aborts", test_abstract_new_aborts);
    g_test_add_func("/qom/init-finalize-order", test_init_finalize_order);
    g_test_add_func("/qom/refcount", test_refcount);
    g_test_add_func("/qom/children-lifetime", test_children_lifetime);
    g_test_add_func("/qom/embedded", test_embedded);
    g_test_add_func("/qom/canonical-path", test_canonical_path);
    g_test_add_func("/qom/resolve-path", test_resolve_path);
    g_test_add_func("/qom/auto-number", test_auto_number);
    g_test_add_func("/qom/duplicate-child", test_duplicate_child);
    g_test_add_func("/qom/child-foreach", test_child_foreach);
    g_test_add_func("/qom/class-list", test_class_list);
    return g_test_run();
}
