// SPDX-License-Identifier: GPL-2.0
/*
 * vmx: run one VM described by a config file.
 *
 * Order of work: everything that can be checked without KVM (config, image,
 * disk, NIC, logs) is checked first, so that a bad config gives its own
 * error even on a host without /dev/kvm; then KVM, RAM and vCPUs; then the
 * guest is booted from its image or restored from a save file (or, for an
 * incoming migration, left untouched for the module to fill); then the
 * control socket opens, the migration thread starts and the vCPU runs on
 * the main thread.
 *
 * Exit status: the guest's halt code when it powers off (0 is success), 0
 * after a "shutdown" command or once the VM has migrated to another host,
 * 1 on any error (an incoming migration that failed too), 2 on a usage
 * error.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>
#include <linux/ftmigrate.h>

#include "control.h"
#include "state.h"
#include "vmx.h"

struct options {
	const char *config;
	const char *restore;
	const char *record;
	const char *replay;
	const char *output_log;
	const char *control;
	const char *load_blob;
	const char *secret_file;
	const char *fill_ram;
	uint64_t incoming;		/* migration id, 0: not incoming */
	bool paused;
	bool print_hash;
	bool stats;
	enum vmx_ftm_mode ftmigrate;
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: vmx [options] CONFIG\n"
		"  --restore FILE     start from a save file instead of booting the image\n"
		"  --paused           start paused; run on the control command \"resume\"\n"
		"  --control PATH     control socket (overrides the config's \"control\")\n"
		"  --record FILE      record every input the guest receives\n"
		"  --replay FILE      take inputs from a recording; go live when it ends\n"
		"  --output-log FILE  log every output the guest produces\n"
		"  --print-hash       print ram-hash=HEX on standard error when the VM stops\n"
		"  --stats            print exit counts and run time on standard error at the end\n"
		"  --ftmigrate=MODE   register the VM with /dev/ftmigrate: auto (when the\n"
		"                     module is loaded; the default), on (or fail), off\n"
		"  --incoming=ID      be the destination of migration ID: create the VM but\n"
		"                     boot nothing; wait, paused, for the module to fill RAM,\n"
		"                     load the state and let it run (implies --ftmigrate=on)\n"
		"  --secret-file=F    with --incoming: the migration secret (16 to 64 bytes)\n"
		"  --load-blob FILE   testing aid: start from a migration blob FILE and its\n"
		"                     RAM in FILE.ram (see the control command stun-blob)\n"
		"  --fill-ram FILE    testing aid: before booting, copy FILE into guest RAM\n"
		"                     from 2 MiB up, until RAM or FILE ends\n");
}

/* A migration id: decimal, non-zero, fits in 64 bits. */
static int parse_id(const char *s, uint64_t *id)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*id = strtoull(s, &end, 10);
	return errno || *end || !*id ? -1 : 0;
}

static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "restore", required_argument, NULL, 'r' },
		{ "paused", no_argument, NULL, 'p' },
		{ "control", required_argument, NULL, 'c' },
		{ "record", required_argument, NULL, 'R' },
		{ "replay", required_argument, NULL, 'P' },
		{ "output-log", required_argument, NULL, 'o' },
		{ "print-hash", no_argument, NULL, 'H' },
		{ "stats", no_argument, NULL, 's' },
		{ "ftmigrate", required_argument, NULL, 'F' },
		{ "incoming", required_argument, NULL, 'I' },
		{ "secret-file", required_argument, NULL, 'S' },
		{ "load-blob", required_argument, NULL, 'L' },
		{ "fill-ram", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'r': o->restore = optarg; break;
		case 'p': o->paused = true; break;
		case 'c': o->control = optarg; break;
		case 'R': o->record = optarg; break;
		case 'P': o->replay = optarg; break;
		case 'o': o->output_log = optarg; break;
		case 'H': o->print_hash = true; break;
		case 's': o->stats = true; break;
		case 'F':
			if (!strcmp(optarg, "auto")) {
				o->ftmigrate = VMX_FTM_AUTO;
			} else if (!strcmp(optarg, "on")) {
				o->ftmigrate = VMX_FTM_ON;
			} else if (!strcmp(optarg, "off")) {
				o->ftmigrate = VMX_FTM_OFF;
			} else {
				fprintf(stderr, "vmx: --ftmigrate takes auto, on or off\n");
				return -1;
			}
			break;
		case 'I':
			if (parse_id(optarg, &o->incoming)) {
				fprintf(stderr, "vmx: --incoming takes a migration id, a non-zero "
					"decimal number\n");
				return -1;
			}
			break;
		case 'S': o->secret_file = optarg; break;
		case 'L': o->load_blob = optarg; break;
		case 'f': o->fill_ram = optarg; break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return -1;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return -1;
	}
	if (o->record && o->replay) {
		fprintf(stderr, "vmx: --record and --replay exclude each other\n");
		return -1;
	}
	if (o->incoming && (o->restore || o->replay || o->paused || o->load_blob)) {
		fprintf(stderr, "vmx: --incoming excludes --restore, --replay, --paused and "
			"--load-blob\n");
		return -1;
	}
	if (o->incoming && o->ftmigrate == VMX_FTM_OFF) {
		fprintf(stderr, "vmx: --incoming needs the ftmigrate module; not with "
			"--ftmigrate=off\n");
		return -1;
	}
	if (o->secret_file && !o->incoming) {
		fprintf(stderr, "vmx: --secret-file goes with --incoming\n");
		return -1;
	}
	if (o->restore && o->load_blob) {
		fprintf(stderr, "vmx: --restore and --load-blob exclude each other\n");
		return -1;
	}
	if (o->fill_ram && (o->incoming || o->restore || o->load_blob)) {
		fprintf(stderr, "vmx: --fill-ram goes with a booted guest, not with --incoming, "
			"--restore or --load-blob\n");
		return -1;
	}
	if (o->incoming)
		o->ftmigrate = VMX_FTM_ON;
	o->config = argv[optind];
	return 0;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int check_image(const struct vmx_config *cfg, char *err, size_t errlen)
{
	if (access(cfg->image, R_OK)) {
		snprintf(err, errlen, "image %s: %s", cfg->image, strerror(errno));
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct vmx_config cfg;
	static struct vmx_vm vm = {
		.kvm_fd = -1, .vm_fd = -1, .ram_fd = -1, .kick_fd = -1,
		.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER,
	};
	struct options opt = { 0 };
	const char *control_path;
	char err[PATH_MAX + 512];
	uint8_t secret[FTM_SECRET_MAX];
	uint32_t secret_len = 0;
	uint64_t run_ns;
	int status = 1;

	if (parse_options(argc, argv, &opt))
		return 2;
	for (unsigned int i = 0; i < VMX_MAX_VCPUS; i++)
		vm.vcpus[i].fd = -1;
	vm.cfg = &cfg;

	if (vmx_config_load(opt.config, &cfg, err, sizeof(err)) ||
	    (!opt.restore && !opt.load_blob && !opt.incoming && check_image(&cfg, err, sizeof(err))) ||
	    (opt.secret_file &&
	     vmx_ftm_read_secret(opt.secret_file, secret, &secret_len, err, sizeof(err)))) {
		fprintf(stderr, "vmx: %s\n", err);
		return 1;
	}
	if (vmx_ftm_register(&vm, opt.ftmigrate, err, sizeof(err))) {
		fprintf(stderr, "vmx: %s\n", err);
		return 1;
	}
	if (vmx_devices_open(&vm, err, sizeof(err))) {
		fprintf(stderr, "vmx: %s\n", err);
		vmx_ftm_close(&vm);
		return 1;
	}
	if (vmx_events_open(&vm, opt.record, opt.replay, opt.output_log, err, sizeof(err)))
		goto fail_devices;
	vm.kick_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (vm.kick_fd < 0) {
		snprintf(err, sizeof(err), "eventfd: %s", strerror(errno));
		goto fail_events;
	}
	if (vmx_kvm_open(&vm, err, sizeof(err)) ||
	    vmx_ram_create(&vm, cfg.memory, err, sizeof(err)) ||
	    vmx_ftm_add_memory(&vm, opt.ftmigrate, err, sizeof(err)) ||
	    vmx_ftm_add_disk(&vm, opt.ftmigrate, err, sizeof(err)))
		goto fail_vm;
	for (unsigned int i = 0; i < cfg.vcpus; i++)
		if (vmx_vcpu_create(&vm, i, err, sizeof(err)))
			goto fail_vm;
	if (opt.fill_ram && vmx_ram_fill(&vm, opt.fill_ram, err, sizeof(err)))
		goto fail_vm;
	/* Incoming: not a byte of RAM is written here; the module fills it. */
	if (!opt.incoming &&
	    (opt.restore ? vmx_state_restore(&vm, opt.restore, err, sizeof(err)) :
	     opt.load_blob ? vmx_state_load_split(&vm, opt.load_blob, err, sizeof(err)) :
	     vmx_boot_setup(&vm, err, sizeof(err))))
		goto fail_vm;

	vmx_kick_init();
	vm.vcpus[0].thread = pthread_self();
	vm.print_hash = opt.print_hash;
	vm.incoming = opt.incoming != 0;
	vm.state = opt.paused || opt.incoming ? VMX_STATE_PAUSED : VMX_STATE_RUNNING;
	atomic_store(&vm.request_pending, vm.state == VMX_STATE_PAUSED);
	if (vmx_throttle_start(&vm, err, sizeof(err)))
		goto fail_vm;
	control_path = opt.control ? opt.control : cfg.control;
	if (control_path[0] && vmx_control_start(&vm, control_path, err, sizeof(err)))
		goto fail_throttle;
	if (vm.ftm_memory && vmx_migrate_start(&vm, err, sizeof(err)))
		goto fail_control;
	if (opt.incoming &&
	    vmx_ftm_incoming(&vm, opt.incoming, secret, secret_len, err, sizeof(err)))
		goto fail_control;
	explicit_bzero(secret, sizeof(secret));
	/* From here the module finds this VM for the migration: say so. */
	if (opt.incoming)
		fprintf(stderr, "vmx: waiting for incoming migration %" PRIu64 "\n", opt.incoming);

	run_ns = now_ns();
	vmx_vcpu_run(&vm.vcpus[0]);
	run_ns = now_ns() - run_ns;

	vmx_control_stop(&vm);
	vmx_migrate_stop(&vm);
	vmx_throttle_stop(&vm);
	if (opt.print_hash)
		fprintf(stderr, "ram-hash=%016" PRIx64 "\n", vmx_ram_hash(&vm));
	if (opt.stats)
		fprintf(stderr, "exits=%" PRIu64 " io-exits=%" PRIu64 " run-ns=%" PRIu64 "\n",
			(uint64_t)vm.vcpus[0].exits, (uint64_t)vm.vcpus[0].io_exits, run_ns);
	switch (vm.state) {
	case VMX_STATE_HALTED:
		status = vm.exit_code & 0xff;
		if (vm.exit_code)
			fprintf(stderr, "vmx: guest powered off with code %d\n", vm.exit_code);
		break;
	case VMX_STATE_SHUTDOWN:
		status = 0;
		break;
	case VMX_STATE_MIGRATED:
		fprintf(stderr, "vmx: VM migrated to another host\n");
		status = 0;
		break;
	default:
		fprintf(stderr, "vmx: %s\n", vm.failure[0] ? vm.failure : "VM stopped");
		status = 1;
		break;
	}
	vmx_vm_destroy(&vm);
	close(vm.kick_fd);
	vmx_events_close(&vm);
	vmx_devices_close(&vm);
	vmx_ftm_close(&vm);
	return status;

fail_control:
	/* A request a thread already posted must not wait for a vCPU that never runs. */
	vmx_fail(&vm, "%s", err);
	vmx_migrate_stop(&vm);
	vmx_control_stop(&vm);
fail_throttle:
	vmx_throttle_stop(&vm);
fail_vm:
	explicit_bzero(secret, sizeof(secret));
	vmx_vm_destroy(&vm);
	close(vm.kick_fd);
fail_events:
	vmx_events_close(&vm);
fail_devices:
	vmx_devices_close(&vm);
	vmx_ftm_close(&vm);
	fprintf(stderr, "vmx: %s\n", err);
	return 1;
}
