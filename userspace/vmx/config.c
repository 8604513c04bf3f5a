// SPDX-License-Identifier: GPL-2.0
/*
 * VM config file parser.
 *
 * The format is "key = value" lines; '#' starts a comment; blank lines are
 * ignored.  Every key may appear once; unknown keys are errors rather than
 * warnings, because a config that two hosts read differently would break the
 * FTCheck guarantee that both sides run the same VM.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

#define LINE_MAX_LEN 1024

struct key_desc {
	const char *key;
	int (*parse)(struct vmx_config *cfg, const char *dir, const char *value,
		     char *why, size_t whylen);
	bool required;
};

static int copy_string(char *dst, size_t dstlen, const char *value, char *why, size_t whylen)
{
	if (strlen(value) >= dstlen) {
		snprintf(why, whylen, "value longer than %zu characters", dstlen - 1);
		return -1;
	}
	strcpy(dst, value);
	return 0;
}

/* Paths are relative to the config file, as a .vmx file's are. */
static int copy_path(char *dst, const char *dir, const char *value, char *why, size_t whylen)
{
	int n;

	if (value[0] == '/' || !dir[0])
		n = snprintf(dst, PATH_MAX, "%s", value);
	else
		n = snprintf(dst, PATH_MAX, "%s/%s", dir, value);
	if (n < 0 || n >= PATH_MAX) {
		snprintf(why, whylen, "path too long");
		return -1;
	}
	return 0;
}

static int parse_name(struct vmx_config *cfg, const char *dir, const char *v, char *why, size_t wl)
{
	(void)dir;
	if (!v[0]) {
		snprintf(why, wl, "name is empty");
		return -1;
	}
	for (const char *p = v; *p; p++) {
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_' && *p != '.') {
			snprintf(why, wl, "name may hold only letters, digits, '-', '_' and '.'");
			return -1;
		}
	}
	return copy_string(cfg->name, sizeof(cfg->name), v, why, wl);
}

static int parse_uuid(struct vmx_config *cfg, const char *dir, const char *v, char *why, size_t wl)
{
	(void)dir;
	if (strlen(v) != VMX_UUID_LEN)
		goto bad;
	for (int i = 0; i < VMX_UUID_LEN; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? v[i] != '-' : !isxdigit((unsigned char)v[i]))
			goto bad;
	}
	strcpy(cfg->uuid, v);
	for (char *p = cfg->uuid; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return 0;
bad:
	snprintf(why, wl, "uuid must be 8-4-4-4-12 hexadecimal digits");
	return -1;
}

static int parse_memory(struct vmx_config *cfg, const char *dir, const char *v, char *why, size_t wl)
{
	unsigned long long n, shift = 0;
	char *end;

	(void)dir;
	errno = 0;
	n = strtoull(v, &end, 10);
	if (errno || end == v || v[0] == '-')
		goto bad;
	switch (toupper((unsigned char)*end)) {
	case 'K': shift = 10; end++; break;
	case 'M': shift = 20; end++; break;
	case 'G': shift = 30; end++; break;
	case '\0': shift = 20; break;	/* a bare number is MiB, as memsize is in a .vmx */
	default: goto bad;
	}
	if (*end == 'i' || *end == 'I')
		end++;
	if (toupper((unsigned char)*end) == 'B')
		end++;
	if (*end || n > (VMX_MAX_MEMORY >> shift))
		goto bad;
	n <<= shift;
	if (n < VMX_MIN_MEMORY || n > VMX_MAX_MEMORY || n % (2ULL << 20)) {
		snprintf(why, wl, "memory must be a multiple of 2M between 2M and 64G");
		return -1;
	}
	cfg->memory = n;
	return 0;
bad:
	snprintf(why, wl, "memory must be a size such as 64M or 2G");
	return -1;
}

static int parse_vcpus(struct vmx_config *cfg, const char *dir, const char *v, char *why, size_t wl)
{
	char *end;
	long n;

	(void)dir;
	n = strtol(v, &end, 10);
	if (*end || end == v || n < 1 || n > VMX_MAX_VCPUS) {
		snprintf(why, wl, "vcpus must be 1..%d", VMX_MAX_VCPUS);
		return -1;
	}
	cfg->vcpus = (unsigned int)n;
	return 0;
}

static int parse_image(struct vmx_config *cfg, const char *dir, const char *v, char *why, size_t wl)
{
	return copy_path(cfg->image, dir, v, why, wl);
}

static int parse_disk(struct vmx_config *cfg, const char *dir, const char *v, char *why, size_t wl)
{
	return copy_path(cfg->disk, dir, v, why, wl);
}

static int parse_serial(struct vmx_config *cfg, const char *dir, const char *v, char *why, size_t wl)
{
	return copy_path(cfg->serial, dir, v, why, wl);
}

static int parse_control(struct vmx_config *cfg, const char *dir, const char *v, char *why, size_t wl)
{
	return copy_path(cfg->control, dir, v, why, wl);
}

static int parse_args(struct vmx_config *cfg, const char *dir, const char *v, char *why, size_t wl)
{
	(void)dir;
	return copy_string(cfg->args, sizeof(cfg->args), v, why, wl);
}

static int parse_nic(struct vmx_config *cfg, const char *dir, const char *v, char *why, size_t wl)
{
	const char *colon;
	char *end;
	long port;

	(void)dir;
	if (strncmp(v, "udp:", 4) || !(colon = strrchr(v + 4, ':')) || colon == v + 4)
		goto bad;
	port = strtol(colon + 1, &end, 10);
	if (*end || end == colon + 1 || port < 1 || port > 65535)
		goto bad;
	return copy_string(cfg->nic, sizeof(cfg->nic), v, why, wl);
bad:
	snprintf(why, wl, "nic must be udp:ADDRESS:PORT");
	return -1;
}

static const struct key_desc keys[] = {
	{ "name",	parse_name,	true },
	{ "uuid",	parse_uuid,	true },
	{ "memory",	parse_memory,	true },
	{ "vcpus",	parse_vcpus,	false },
	{ "image",	parse_image,	true },
	{ "args",	parse_args,	false },
	{ "disk",	parse_disk,	false },
	{ "nic",	parse_nic,	false },
	{ "serial",	parse_serial,	false },
	{ "control",	parse_control,	false },
};

#define NR_KEYS (sizeof(keys) / sizeof(keys[0]))

static char *trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

/* A value may be quoted so that it can carry leading or trailing blanks or '#'. */
static int unquote(char *v)
{
	size_t n = strlen(v);

	if (n && v[0] == '"') {
		if (n < 2 || v[n - 1] != '"')
			return -1;
		memmove(v, v + 1, n - 2);
		v[n - 2] = '\0';
	}
	return 0;
}

/* The directory of @path, which relative paths in its config start from. */
static void config_dir(const char *path, char *dir, size_t len)
{
	const char *slash = strrchr(path, '/');

	snprintf(dir, len, "%.*s", slash ? (int)(slash - path) : 0, path);
	if (slash == path)
		snprintf(dir, len, "/");
}

/* Parse @f, named @path in messages, closing it. */
static int config_read(FILE *f, const char *path, const char *dir, struct vmx_config *cfg,
		       char *err, size_t errlen)
{
	bool seen[NR_KEYS] = { false };
	char line[LINE_MAX_LEN + 2], why[160];
	unsigned int lineno = 0;

	while (fgets(line, sizeof(line), f)) {
		char *key, *value, *eq, *hash;
		size_t i;

		lineno++;
		if (!strchr(line, '\n') && !feof(f)) {
			snprintf(err, errlen, "%s:%u: line longer than %d characters", path, lineno, LINE_MAX_LEN);
			goto fail;
		}
		/* A '#' outside quotes starts a comment. */
		hash = line;
		for (bool quoted = false; *hash; hash++) {
			if (*hash == '"')
				quoted = !quoted;
			else if (*hash == '#' && !quoted)
				break;
		}
		*hash = '\0';
		key = trim(line);
		if (!*key)
			continue;
		eq = strchr(key, '=');
		if (!eq) {
			snprintf(err, errlen, "%s:%u: expected key = value", path, lineno);
			goto fail;
		}
		*eq = '\0';
		key = trim(key);
		value = trim(eq + 1);
		if (unquote(value)) {
			snprintf(err, errlen, "%s:%u: unterminated quote", path, lineno);
			goto fail;
		}
		for (i = 0; i < NR_KEYS; i++)
			if (!strcmp(keys[i].key, key))
				break;
		if (i == NR_KEYS) {
			snprintf(err, errlen, "%s:%u: unknown key '%.64s'", path, lineno, key);
			goto fail;
		}
		if (seen[i]) {
			snprintf(err, errlen, "%s:%u: '%s' given twice", path, lineno, key);
			goto fail;
		}
		seen[i] = true;
		if (keys[i].parse(cfg, dir, value, why, sizeof(why))) {
			snprintf(err, errlen, "%s:%u: %s", path, lineno, why);
			goto fail;
		}
	}
	if (ferror(f)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	fclose(f);
	for (size_t i = 0; i < NR_KEYS; i++) {
		if (keys[i].required && !seen[i]) {
			snprintf(err, errlen, "%s: missing required key '%s'", path, keys[i].key);
			return -1;
		}
	}
	return 0;
fail:
	fclose(f);
	return -1;
}

int vmx_config_load(const char *path, struct vmx_config *cfg, char *err, size_t errlen)
{
	char dir[PATH_MAX];
	FILE *f;

	memset(cfg, 0, sizeof(*cfg));
	cfg->vcpus = 1;
	snprintf(cfg->path, sizeof(cfg->path), "%s", path);
	config_dir(path, dir, sizeof(dir));
	f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	return config_read(f, path, dir, cfg, err, errlen);
}

int vmx_config_parse(const void *buf, size_t len, const char *beside, struct vmx_config *cfg,
		     char *err, size_t errlen)
{
	char dir[PATH_MAX];
	FILE *f;

	memset(cfg, 0, sizeof(*cfg));
	cfg->vcpus = 1;
	snprintf(cfg->path, sizeof(cfg->path), "the source's config");
	config_dir(beside, dir, sizeof(dir));
	f = fmemopen((void *)buf, len, "r");
	if (!f) {
		snprintf(err, errlen, "%s: %s", cfg->path, strerror(errno));
		return -1;
	}
	return config_read(f, cfg->path, dir, cfg, err, errlen);
}
