/* osdata.c: qXfer:osdata, the machine's processes, their threads and open files for gdb's `info os`, read from /proc. */
#include <dirent.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rsp.h"
#include "rsp/qxfer.h"
#include "rsp/reply.h"

/*
 * The document is gdb's "osdata" XML (GDB manual, "Operating System
 * Information"; gdb/features/osdata.dtd): <osdata type="T">, one <item>
 * per row, one <column name="N"> per value. Annexes as gdbserver's
 * Linux ones name them; an empty annex lists them.
 */
static const struct {
	const char *type, *title, *desc;
} types[] = {
	{ "processes", "Processes", "Listing of all processes" },
	{ "threads", "Threads", "Listing of all threads" },
	{ "files", "File descriptors", "Listing of all file descriptors" },
};

static void
put(struct tr_buf *b, const char *s)
{
	tr_buf_append(b, s, strlen(s));
}

static void
column(struct tr_buf *b, const char *name, const char *value)
{
	put(b, "<column name=\"");
	put(b, name);
	put(b, "\">");
	rsp_xml_escape(b, value);
	put(b, "</column>");
}

static bool
all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* The command line of pid, its NULs as spaces ("" for a kernel thread
 * or a process gone meanwhile). */
static void
command_of(const char *pid, char *out, size_t len)
{
	char path[64];
	ssize_t n;
	int fd;

	out[0] = 0;
	snprintf(path, sizeof(path), "/proc/%s/cmdline", pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return;
	n = read(fd, out, len - 1);
	close(fd);
	if (n <= 0)
		return;
	while (n > 0 && out[n - 1] == 0)
		n--;
	for (ssize_t i = 0; i < n; i++)
		if (out[i] == 0)
			out[i] = ' ';
	out[n] = 0;
}

/* The processor the task last ran on (field 39 of its stat), -1 unknown. */
static int
core_of(const char *path)
{
	char buf[1024], *p;
	ssize_t n;
	int fd, field = 2;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	/* the command is in parentheses and may hold spaces */
	if (!(p = strrchr(buf, ')')))
		return -1;
	for (p++; *p && field < 39; p++)
		if (*p == ' ')
			field++;
	return field == 39 ? atoi(p) : -1;
}

static void
user_of(uid_t uid, char *out, size_t len)
{
	struct passwd pw, *res = NULL;
	char buf[1024];

	if (getpwuid_r(uid, &pw, buf, sizeof(buf), &res) == 0 && res)
		snprintf(out, len, "%s", pw.pw_name);
	else
		snprintf(out, len, "%u", (unsigned)uid);
}

/* The cores of a process's threads, sorted, as "0,1". */
static void
cores_of(const char *pid, char *out, size_t len)
{
	char path[300];
	bool seen[1024] = { false };
	struct dirent *e;
	DIR *d;
	size_t o = 0;

	out[0] = 0;
	snprintf(path, sizeof(path), "/proc/%s/task", pid);
	if (!(d = opendir(path)))
		return;
	while ((e = readdir(d))) {
		int c;

		if (!all_digits(e->d_name))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/task/%s/stat", pid,
			 e->d_name);
		if ((c = core_of(path)) >= 0 && c < 1024)
			seen[c] = true;
	}
	closedir(d);
	for (int c = 0; c < 1024 && o + 8 < len; c++)
		if (seen[c])
			o += (size_t)snprintf(out + o, len - o, "%s%d",
					      o ? "," : "", c);
}

static void
one_process(struct tr_buf *b, const char *pid, const char *type)
{
	char path[300], cmd[4096], user[64], cores[256], num[32];
	struct stat st;
	struct dirent *e;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%s", pid);
	if (stat(path, &st) < 0)
		return; /* gone meanwhile */
	command_of(pid, cmd, sizeof(cmd));
	if (!strcmp(type, "processes")) {
		user_of(st.st_uid, user, sizeof(user));
		cores_of(pid, cores, sizeof(cores));
		put(b, "<item>");
		column(b, "pid", pid);
		column(b, "user", user);
		column(b, "command", cmd);
		column(b, "cores", cores);
		put(b, "</item>\n");
		return;
	}
	snprintf(path, sizeof(path), "/proc/%s/%s", pid,
		 !strcmp(type, "threads") ? "task" : "fd");
	if (!(d = opendir(path)))
		return; /* not ours to read, or gone */
	while ((e = readdir(d))) {
		if (!all_digits(e->d_name))
			continue;
		put(b, "<item>");
		column(b, "pid", pid);
		column(b, "command", cmd);
		if (!strcmp(type, "threads")) {
			snprintf(path, sizeof(path), "/proc/%s/task/%s/stat",
				 pid, e->d_name);
			snprintf(num, sizeof(num), "%d", core_of(path));
			column(b, "tid", e->d_name);
			column(b, "core", num);
		} else {
			char target[4096];
			ssize_t n;

			snprintf(path, sizeof(path), "/proc/%s/fd/%s", pid,
				 e->d_name);
			n = readlink(path, target, sizeof(target) - 1);
			target[n > 0 ? n : 0] = 0;
			column(b, "file descriptor", e->d_name);
			column(b, "name", target);
		}
		put(b, "</item>\n");
	}
	closedir(d);
}

static int
by_number(const void *a, const void *b)
{
	long x = atol(*(char *const *)a), y = atol(*(char *const *)b);

	return (x > y) - (x < y);
}

/* The document for `type`: every process of /proc, in pid order. */
static int
make(struct tr_buf *b, const char *type)
{
	char **pids = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	DIR *d = opendir("/proc");

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		if (!all_digits(e->d_name))
			continue;
		if (n == cap) {
			char **np = realloc(pids, (cap ? 2 * cap : 256) *
						      sizeof(*np));

			if (!np)
				break;
			pids = np;
			cap = cap ? 2 * cap : 256;
		}
		if (!(pids[n] = strdup(e->d_name)))
			break;
		n++;
	}
	closedir(d);
	qsort(pids, n, sizeof(*pids), by_number);
	put(b, "<?xml version=\"1.0\"?>\n"
	       "<!DOCTYPE target SYSTEM \"osdata.dtd\">\n<osdata type=\"");
	put(b, type);
	put(b, "\">\n");
	for (size_t i = 0; i < n; i++) {
		one_process(b, pids[i], type);
		free(pids[i]);
	}
	free(pids);
	put(b, "</osdata>\n");
	return 0;
}

int
rsp_osdata(struct rsp *r, const char *annex, const char *args)
{
	uint64_t off = strtoull(args, NULL, 16);
	bool known = !*annex;

	/* the machine's processes: only for a client that may drive us */
	if (!r->authed)
		return rsp_reply_str(r, "E01");
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		known = known || !strcmp(annex, types[i].type);
	if (!known)
		return rsp_reply_str(r, "E00");
	/* made whole at offset 0 and kept for the chunks that follow */
	if (off == 0 || !r->osdata.data) {
		tr_buf_reset(&r->osdata);
		if (!*annex) {
			put(&r->osdata, "<?xml version=\"1.0\"?>\n"
					"<!DOCTYPE target SYSTEM "
					"\"osdata.dtd\">\n"
					"<osdata type=\"types\">\n");
			for (size_t i = 0; i < sizeof(types) / sizeof(types[0]);
			     i++) {
				put(&r->osdata, "<item>");
				column(&r->osdata, "Type", types[i].type);
				column(&r->osdata, "Description",
				       types[i].desc);
				column(&r->osdata, "Title", types[i].title);
				put(&r->osdata, "</item>\n");
			}
			put(&r->osdata, "</osdata>\n");
		} else if (make(&r->osdata, annex)) {
			return rsp_reply_str(r, "E01");
		}
	}
	return rsp_xfer_reply(r, r->osdata.data, r->osdata.len, args);
}
