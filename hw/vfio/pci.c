/*
 * vfio-pci and vfio-emulated-pci (see include/hw/vfio/pci.h).
 */
#include "qemu/osdep.h"
#include <sys/ioctl.h>
#include <linux/vfio.h>
#include "exec/address-spaces.h"
#include "hw/pci/pci.h"
#include "hw/qdev-properties.h"
#include "hw/vfio/pci.h"
#include "hw/vfio/vfio-container.h"
#include "hw/vfio/vfio-emulated.h"

/* ---- vfio-pci: a host device through VFIO type1 ---- */

OBJECT_DECLARE_SIMPLE_TYPE(VFIOPCIDevice, VFIO_PCI)

struct VFIOPCIDevice {
    PCIDevice parent_obj;

    char *host;                 /* property: [DOMAIN:]BUS:SLOT.FUNCTION */
    char bdf[16];               /* normalized DDDD:BB:SS.F */
    VFIOGroup *group;
    int device_fd;
    bool discards_disabled;
    bool attached;
};

/* Parse [DOMAIN:]BUS:SLOT.FUNCTION (hex) without trailing characters. */
static bool vfio_pci_scan_host(const char *host, unsigned *domain,
                               unsigned *bus, unsigned *slot, unsigned *func)
{
    int end = 0;

    if (sscanf(host, "%x:%x:%x.%x%n", domain, bus, slot, func, &end) == 4 &&
        !host[end]) {
        return true;
    }
    *domain = 0;
    end = 0;
    return sscanf(host, "%x:%x.%x%n", bus, slot, func, &end) == 3 &&
           !host[end];
}

/* Check the host address and write it as DDDD:BB:SS.F to @bdf. */
static bool vfio_pci_parse_host(const char *host, char bdf[16], Error **errp)
{
    unsigned domain, bus, slot, func;

    if (!host) {
        error_setg(errp, "'host' property must be set (e.g. 0000:01:00.0)");
        return false;
    }
    if (!vfio_pci_scan_host(host, &domain, &bus, &slot, &func)) {
        error_setg(errp, "invalid host '%s': expected "
                   "[DOMAIN:]BUS:SLOT.FUNCTION, e.g. 0000:01:00.0", host);
        return false;
    }
    if (domain > 0xffff || bus > 0xff || slot > 0x1f || func > 7) {
        error_setg(errp, "invalid host '%s': out of range", host);
        return false;
    }
    snprintf(bdf, 16, "%04x:%02x:%02x.%x", domain, bus, slot, func);
    return true;
}

/* Give the guest the host function's identity from its config space. */
static bool vfio_pci_read_identity(VFIOPCIDevice *vdev, Error **errp)
{
    struct vfio_region_info reg = {
        .argsz = sizeof(reg),
        .index = VFIO_PCI_CONFIG_REGION_INDEX,
    };
    uint8_t cfg[PCI_CONFIG_HEADER_SIZE];
    uint8_t *config = vdev->parent_obj.config;

    if (ioctl(vdev->device_fd, VFIO_DEVICE_GET_REGION_INFO, &reg)) {
        error_setg_errno(errp, errno, "%s: cannot find the config region",
                         vdev->bdf);
        return false;
    }
    if (pread(vdev->device_fd, cfg, sizeof(cfg), reg.offset) !=
        sizeof(cfg)) {
        error_setg_errno(errp, errno, "%s: cannot read the config space",
                         vdev->bdf);
        return false;
    }
    pci_config_set_vendor_id(config, pci_get_word(cfg + PCI_VENDOR_ID));
    pci_config_set_device_id(config, pci_get_word(cfg + PCI_DEVICE_ID));
    pci_config_set_revision(config, cfg[PCI_REVISION_ID]);
    pci_config_set_class(config, pci_get_word(cfg + PCI_CLASS_DEVICE));
    pci_config_set_prog_interface(config, cfg[PCI_CLASS_PROG]);
    pci_set_word(config + PCI_SUBSYSTEM_VENDOR_ID,
                 pci_get_word(cfg + PCI_SUBSYSTEM_VENDOR_ID));
    pci_set_word(config + PCI_SUBSYSTEM_ID,
                 pci_get_word(cfg + PCI_SUBSYSTEM_ID));
    return true;
}

static void vfio_pci_release(VFIOPCIDevice *vdev)
{
    if (vdev->attached) {
        vfio_container_detach(vfio_group_container(vdev->group));
        vdev->attached = false;
    }
    if (vdev->discards_disabled) {
        vfio_discard_enable(VFIO_DISCARD_UNCOORDINATED_DISABLED);
        vdev->discards_disabled = false;
    }
    if (vdev->device_fd >= 0) {
        close(vdev->device_fd);
        vdev->device_fd = -1;
    }
    if (vdev->group) {
        vfio_group_put(vdev->group);
        vdev->group = NULL;
    }
}

static void vfio_pci_realize(PCIDevice *pdev, Error **errp)
{
    VFIOPCIDevice *vdev = VFIO_PCI(pdev);
    int groupid;

    vdev->device_fd = -1;
    if (!vfio_pci_parse_host(vdev->host, vdev->bdf, errp)) {
        return;
    }
    groupid = vfio_host_iommu_group(vdev->bdf, errp);
    if (groupid < 0) {
        return;
    }
    vdev->group = vfio_group_get(groupid, errp);
    if (!vdev->group) {
        return;
    }
    vdev->device_fd = vfio_group_get_device_fd(vdev->group, vdev->bdf, errp);
    if (vdev->device_fd < 0 || !vfio_pci_read_identity(vdev, errp)) {
        goto fail;
    }
    if (!vfio_discard_disable(VFIO_DISCARD_UNCOORDINATED_DISABLED,
                              TYPE_VFIO_PCI, errp)) {
        goto fail;
    }
    vdev->discards_disabled = true;
    if (!vfio_container_attach(vfio_group_container(vdev->group),
                               &address_space_memory, errp)) {
        goto fail;
    }
    vdev->attached = true;
    return;

fail:
    vfio_pci_release(vdev);
}

static void vfio_pci_exit(PCIDevice *pdev)
{
    vfio_pci_release(VFIO_PCI(pdev));
}

static Property vfio_pci_props[] = {
    DEFINE_PROP_STRING("host", VFIOPCIDevice, host),
    DEFINE_PROP_END_OF_LIST(),
};

static void vfio_pci_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    PCIDeviceClass *k = PCI_DEVICE_CLASS(klass);

    k->realize = vfio_pci_realize;
    k->exit = vfio_pci_exit;
    k->class_id = PCI_CLASS_OTHERS;
    dc->desc = "VFIO-based PCI device assignment (DMA mapping only)";
    device_class_set_props(dc, vfio_pci_props);
    set_bit(DEVICE_CATEGORY_MISC, dc->categories);
}

/* ---- vfio-emulated-pci: the emulated container on a test function ---- */

OBJECT_DECLARE_SIMPLE_TYPE(VFIOEmulatedPCIDevice, VFIO_EMULATED_PCI)

struct VFIOEmulatedPCIDevice {
    PCIDevice parent_obj;

    VFIOEmulatedContainer *container;   /* property */
    bool mdev;                          /* property x-mdev */
    bool discards_disabled;
    bool attached;
};

static VFIODiscardMode vfio_emulated_pci_discard_mode(VFIOEmulatedPCIDevice *d)
{
    return d->mdev ? VFIO_DISCARD_ALL_DISABLED
                   : VFIO_DISCARD_UNCOORDINATED_DISABLED;
}

static void vfio_emulated_pci_release(VFIOEmulatedPCIDevice *d)
{
    if (d->attached) {
        vfio_container_detach(vfio_emulated_container_get(d->container));
        d->attached = false;
    }
    if (d->discards_disabled) {
        vfio_discard_enable(vfio_emulated_pci_discard_mode(d));
        d->discards_disabled = false;
    }
}

static void vfio_emulated_pci_realize(PCIDevice *pdev, Error **errp)
{
    VFIOEmulatedPCIDevice *d = VFIO_EMULATED_PCI(pdev);

    if (!d->container) {
        error_setg(errp, "'container' property must be set (the id of a "
                   "vfio-emulated-container)");
        return;
    }
    if (!vfio_discard_disable(vfio_emulated_pci_discard_mode(d),
                              TYPE_VFIO_EMULATED_PCI, errp)) {
        return;
    }
    d->discards_disabled = true;
    /* Without a vIOMMU the device's DMA address space is system memory. */
    if (!vfio_container_attach(vfio_emulated_container_get(d->container),
                               &address_space_memory, errp)) {
        vfio_emulated_pci_release(d);
        return;
    }
    d->attached = true;
}

static void vfio_emulated_pci_exit(PCIDevice *pdev)
{
    vfio_emulated_pci_release(VFIO_EMULATED_PCI(pdev));
}

static Property vfio_emulated_pci_props[] = {
    DEFINE_PROP_LINK("container", VFIOEmulatedPCIDevice, container,
                     TYPE_VFIO_EMULATED_CONTAINER, VFIOEmulatedContainer *),
    DEFINE_PROP_BOOL("x-mdev", VFIOEmulatedPCIDevice, mdev, false),
    DEFINE_PROP_END_OF_LIST(),
};

static void vfio_emulated_pci_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    PCIDeviceClass *k = PCI_DEVICE_CLASS(klass);

    k->realize = vfio_emulated_pci_realize;
    k->exit = vfio_emulated_pci_exit;
    k->vendor_id = PCI_VENDOR_ID_REDHAT;
    k->device_id = PCI_DEVICE_ID_REDHAT_VFIO_EMULATED;
    k->class_id = PCI_CLASS_OTHERS;
    dc->desc = "PCI test function doing DMA through a "
               "vfio-emulated-container";
    device_class_set_props(dc, vfio_emulated_pci_props);
    set_bit(DEVICE_CATEGORY_MISC, dc->categories);
}

static const TypeInfo vfio_pci_types[] = {
    {
        .name = TYPE_VFIO_PCI,
        .parent = TYPE_PCI_DEVICE,
        .instance_size = sizeof(VFIOPCIDevice),
        .class_init = vfio_pci_class_init,
        .interfaces = (InterfaceInfo[]) {
            { INTERFACE_CONVENTIONAL_PCI_DEVICE },
            { },
        },
    }, {
        .name = TYPE_VFIO_EMULATED_PCI,
        .parent = TYPE_PCI_DEVICE,
        .instance_size = sizeof(VFIOEmulatedPCIDevice),
        .class_init = vfio_emulated_pci_class_init,
        .interfaces = (InterfaceInfo[]) {
            { INTERFACE_CONVENTIONAL_PCI_DEVICE },
            { },
        },
    },
};

static void vfio_pci_register_types(void)
{
    type_register_static_array(vfio_pci_types, G_N_ELEMENTS(vfio_pci_types));
}

type_init(vfio_pci_register_types)
