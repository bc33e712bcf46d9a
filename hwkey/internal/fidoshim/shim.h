/*
 * Interposition of libfido2 entry points used by go-libfido2, so that a
 * software security key can be reached through the real library.
 */
#ifndef VMFA_FIDOSHIM_H
#define VMFA_FIDOSHIM_H

#include <stddef.h>
#include <fido.h>

#define VMFA_SHIM_PREFIX "vmfa-virtual:"

int vmfa_shim_info_set(fido_dev_info_t *devlist, size_t i, const char *path,
    const char *manufacturer, const char *product);
int vmfa_shim_cancel(const char *path);
int vmfa_shim_set_timeout(const char *path, int ms);
int vmfa_shim_open_count(void);
int vmfa_shim_touch(const char *path, int ms, const int *stop, int *touched);
void vmfa_shim_store(int *p, int v);

#endif
