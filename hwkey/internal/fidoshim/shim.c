// Interposed libfido2 symbols. They are defined in the executable, so the
// dynamic linker binds go-libfido2's calls to them; the real functions are
// reached with dlsym(RTLD_NEXT, ...). With no software key attached every
// call passes straight through.

#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "shim.h"
#include "_cgo_export.h"

typedef int (*manifest_fn)(fido_dev_info_t *, size_t, size_t *);
typedef int (*open_fn)(fido_dev_t *, const char *);
typedef int (*close_fn)(fido_dev_t *);

static pthread_once_t resolve_once = PTHREAD_ONCE_INIT;
static manifest_fn real_manifest;
static open_fn real_open;
static close_fn real_close;

static void
resolve(void)
{
	real_manifest = (manifest_fn)dlsym(RTLD_NEXT, "fido_dev_info_manifest");
	real_open = (open_fn)dlsym(RTLD_NEXT, "fido_dev_open");
	real_close = (close_fn)dlsym(RTLD_NEXT, "fido_dev_close");
}

/* Open devices, so that a request can be cancelled from another thread. */
#define MAX_OPEN 64
#define MAX_TIMEOUTS 16
#define PATH_LEN 256

struct open_dev {
	fido_dev_t *dev;
	char path[PATH_LEN];
};

struct timeout {
	char path[PATH_LEN];
	int ms;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct open_dev open_devs[MAX_OPEN];
static struct timeout timeouts[MAX_TIMEOUTS];

static int
is_virtual(const char *path)
{
	return path != NULL &&
	    strncmp(path, VMFA_SHIM_PREFIX, strlen(VMFA_SHIM_PREFIX)) == 0;
}

static void *
io_open(const char *path)
{
	uintptr_t h = vmfaShimOpen((char *)path);
	return h == 0 ? NULL : (void *)h;
}

static void
io_close(void *handle)
{
	vmfaShimClose((uintptr_t)handle);
}

static int
io_read(void *handle, unsigned char *buf, size_t len, int ms)
{
	return vmfaShimRead((uintptr_t)handle, buf, len, ms);
}

static int
io_write(void *handle, const unsigned char *buf, size_t len)
{
	return vmfaShimWrite((uintptr_t)handle, (unsigned char *)buf, len);
}

static const fido_dev_io_t virtual_io = { io_open, io_close, io_read, io_write };

int
vmfa_shim_info_set(fido_dev_info_t *devlist, size_t i, const char *path,
    const char *manufacturer, const char *product)
{
	return fido_dev_info_set(devlist, i, path, manufacturer, product,
	    &virtual_io, NULL);
}

int
fido_dev_info_manifest(fido_dev_info_t *devlist, size_t ilen, size_t *olen)
{
	int r;

	pthread_once(&resolve_once, resolve);
	if (real_manifest == NULL)
		return FIDO_ERR_INTERNAL;
	if ((r = real_manifest(devlist, ilen, olen)) != FIDO_OK)
		return r;
	return vmfaShimManifest(devlist, ilen, olen);
}

int
fido_dev_open(fido_dev_t *dev, const char *path)
{
	int r, ms = -2;

	pthread_once(&resolve_once, resolve);
	if (real_open == NULL || path == NULL)
		return FIDO_ERR_INVALID_ARGUMENT;
	if (is_virtual(path) && vmfaShimAttached((char *)path)) {
		if ((r = fido_dev_set_io_functions(dev, &virtual_io)) != FIDO_OK)
			return r;
	}
	pthread_mutex_lock(&mu);
	for (int i = 0; i < MAX_TIMEOUTS; i++)
		if (timeouts[i].path[0] != '\0' &&
		    strcmp(timeouts[i].path, path) == 0)
			ms = timeouts[i].ms;
	pthread_mutex_unlock(&mu);
	if (ms >= -1 && (r = fido_dev_set_timeout(dev, ms)) != FIDO_OK)
		return r;
	if ((r = real_open(dev, path)) != FIDO_OK)
		return r;
	pthread_mutex_lock(&mu);
	for (int i = 0; i < MAX_OPEN; i++)
		if (open_devs[i].dev == NULL) {
			open_devs[i].dev = dev;
			strncpy(open_devs[i].path, path, PATH_LEN - 1);
			open_devs[i].path[PATH_LEN - 1] = '\0';
			break;
		}
	pthread_mutex_unlock(&mu);
	return FIDO_OK;
}

int
fido_dev_close(fido_dev_t *dev)
{
	pthread_once(&resolve_once, resolve);
	if (real_close == NULL)
		return FIDO_ERR_INTERNAL;
	pthread_mutex_lock(&mu);
	for (int i = 0; i < MAX_OPEN; i++)
		if (open_devs[i].dev == dev)
			open_devs[i].dev = NULL;
	pthread_mutex_unlock(&mu);
	return real_close(dev);
}

int
vmfa_shim_cancel(const char *path)
{
	int n = 0;

	pthread_mutex_lock(&mu);
	for (int i = 0; i < MAX_OPEN; i++)
		if (open_devs[i].dev != NULL &&
		    strcmp(open_devs[i].path, path) == 0 &&
		    fido_dev_cancel(open_devs[i].dev) == FIDO_OK)
			n++;
	pthread_mutex_unlock(&mu);
	return n;
}

int
vmfa_shim_set_timeout(const char *path, int ms)
{
	int free_slot = -1;

	if (strlen(path) >= PATH_LEN)
		return -1;
	pthread_mutex_lock(&mu);
	for (int i = 0; i < MAX_TIMEOUTS; i++) {
		if (timeouts[i].path[0] != '\0' &&
		    strcmp(timeouts[i].path, path) == 0) {
			if (ms < -1)
				timeouts[i].path[0] = '\0';
			else
				timeouts[i].ms = ms;
			pthread_mutex_unlock(&mu);
			return 0;
		}
		if (timeouts[i].path[0] == '\0' && free_slot < 0)
			free_slot = i;
	}
	if (ms >= -1) {
		if (free_slot < 0) {
			pthread_mutex_unlock(&mu);
			return -1;
		}
		strcpy(timeouts[free_slot].path, path);
		timeouts[free_slot].ms = ms;
	}
	pthread_mutex_unlock(&mu);
	return 0;
}

int
vmfa_shim_open_count(void)
{
	int n = 0;

	pthread_mutex_lock(&mu);
	for (int i = 0; i < MAX_OPEN; i++)
		if (open_devs[i].dev != NULL)
			n++;
	pthread_mutex_unlock(&mu);
	return n;
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
vmfa_shim_store(int *p, int v)
{
	__atomic_store_n(p, v, __ATOMIC_SEQ_CST);
}

/*
 * Wait up to ms for a touch on the device at path with libfido2's own touch
 * request (fido_dev_get_touch_begin/status: a dummy makeCredential, or a
 * U2F register, that only a touch answers), polling *stop.
 */
int
vmfa_shim_touch(const char *path, int ms, const int *stop, int *touched)
{
	fido_dev_t *dev;
	long long deadline = now_ms() + ms;
	int r;

	*touched = 0;
	if ((dev = fido_dev_new()) == NULL)
		return FIDO_ERR_INTERNAL;
	if ((r = fido_dev_set_timeout(dev, ms)) != FIDO_OK ||
	    (r = fido_dev_open(dev, path)) != FIDO_OK) {
		fido_dev_free(&dev);
		return r;
	}
	r = fido_dev_get_touch_begin(dev);
	while (r == FIDO_OK && !*touched &&
	    !__atomic_load_n(stop, __ATOMIC_SEQ_CST) && now_ms() < deadline)
		r = fido_dev_get_touch_status(dev, touched, 100);
	if (!*touched)
		fido_dev_cancel(dev);
	fido_dev_close(dev);
	fido_dev_free(&dev);
	return r;
}
