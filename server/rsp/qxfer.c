/* qxfer.c: the objects of qXfer: target.xml, auxv, exec-file, threads, libraries-svr4, siginfo (read and written); osdata in osdata.c. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "target/procfs.h"
#include "rsp.h"
#include "rsp/ids.h"
#include "rsp/qxfer.h"
#include "rsp/reply.h"

int
rsp_xfer_reply(struct rsp *r, const char *data, size_t total, const char *args)
{
	uint64_t off, len;
	const char *comma = strchr(args, ',');
	struct tr_buf b;
	int rc;

	if (!comma || tr_rsp_hex_u64(args, (size_t)(comma - args), &off) ||
	    tr_rsp_hex_u64(comma + 1, strlen(comma + 1), &len))
		return rsp_reply_str(r, "E01");
	if (off >= total)
		return rsp_reply_str(r, "l");
	if (len > RSP_PACKET_SIZE / 2)
		len = RSP_PACKET_SIZE / 2;
	tr_buf_init(&b);
	tr_buf_append(&b, off + len >= total ? "l" : "m", 1);
	tr_buf_append(&b, data + off, off + len >= total ? total - off : len);
	rc = rsp_reply(r, b.data, b.len);
	tr_buf_free(&b);
	return rc;
}

static int
read_file(const char *path, char **data, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct tr_buf b;
	char buf[4096];
	ssize_t n;

	if (fd < 0)
		return -1;
	tr_buf_init(&b);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		tr_buf_append(&b, buf, (size_t)n);
	close(fd);
	*data = b.data;
	*len = b.len;
	return 0;
}

/* qXfer:siginfo:write::OFF:DATA (binary): part of the stop's siginfo. */
static int
siginfo_write(struct rsp *r, const char *q, size_t qlen)
{
	const char *colon = memchr(q, ':', qlen);
	uint64_t off;
	siginfo_t si;
	size_t n;

	if (!colon || tr_rsp_hex_u64(q, (size_t)(colon - q), &off))
		return rsp_reply_str(r, "E01");
	n = qlen - (size_t)(colon + 1 - q);
	if (off > sizeof(si) || n > sizeof(si) - off)
		return rsp_reply_str(r, "E01");
	if (tr_siginfo_get(r->t, rsp_gtid(r), &si))
		return rsp_reply_str(r, "E01");
	memcpy((char *)&si + off, colon + 1, n);
	if (tr_siginfo_set(r->t, rsp_gtid(r), &si))
		return rsp_reply_str(r, "E01");
	{
		char buf[24];

		snprintf(buf, sizeof(buf), "%zx", n);
		return rsp_reply_str(r, buf);
	}
}

static int
read_u64(struct rsp *r, uint64_t addr, uint64_t *v)
{
	size_t done = 0;

	return tr_mem_read(r->t, addr, v, 8, &done) || done != 8 ? -1 : 0;
}

void
rsp_xml_escape(struct tr_buf *b, const char *s)
{
	for (; *s; s++) {
		const char *e = *s == '<'    ? "&lt;"
				: *s == '>'  ? "&gt;"
				: *s == '&'  ? "&amp;"
				: *s == '"'  ? "&quot;"
				: *s == '\'' ? "&apos;"
					     : NULL;

		if (e)
			tr_buf_append(b, e, strlen(e));
		else
			tr_buf_append(b, s, 1);
	}
}

/*
 * The dynamic linker's list of loaded objects, as qXfer:libraries-svr4
 * gives it: found as gdb itself would (the System V ABI's r_debug, whose
 * address the linker stores in the executable's DT_DEBUG entry), read
 * from the target: the executable's program headers (auxv AT_PHDR,
 * AT_PHNUM), its PT_DYNAMIC, DT_DEBUG, then r_debug.r_map and the
 * link_map chain (l_addr, l_name, l_ld, l_next at 0, 8, 16, 24). Before
 * the linker has run, the list is empty.
 */
static int
svr4_list(struct rsp *r, struct tr_buf *b)
{
	char path[64], *auxv = NULL;
	size_t alen = 0;
	uint64_t phdr = 0, phnum = 0, bias = 0, dyn = 0, rdebug = 0, lm;
	bool have_bias = false;
	char line[256];
	unsigned guard = 0;

	snprintf(path, sizeof(path), "/proc/%d/auxv", rsp_pid(r));
	if (read_file(path, &auxv, &alen))
		return -1;
	for (size_t i = 0; i + 16 <= alen; i += 16) {
		uint64_t k, v;

		memcpy(&k, auxv + i, 8);
		memcpy(&v, auxv + i + 8, 8);
		if (k == 3) /* AT_PHDR */
			phdr = v;
		else if (k == 5) /* AT_PHNUM */
			phnum = v;
	}
	free(auxv);
	/* Elf64_Phdr: p_type at 0, p_vaddr at 16; 56 bytes each */
	for (uint64_t i = 0; phdr && i < phnum && i < 256; i++) {
		uint64_t w0, vaddr;

		if (read_u64(r, phdr + 56 * i, &w0) ||
		    read_u64(r, phdr + 56 * i + 16, &vaddr))
			break;
		if ((uint32_t)w0 == 6) { /* PT_PHDR */
			bias = phdr - vaddr;
			have_bias = true;
		} else if ((uint32_t)w0 == 2) { /* PT_DYNAMIC */
			dyn = vaddr;
		}
	}
	tr_buf_init(b);
	if (dyn && have_bias) {
		for (unsigned i = 0; i < 512; i++) {
			uint64_t tag, val;

			if (read_u64(r, bias + dyn + 16 * i, &tag) ||
			    read_u64(r, bias + dyn + 16 * i + 8, &val) ||
			    tag == 0)
				break;
			if (tag == 21) { /* DT_DEBUG */
				rdebug = val;
				break;
			}
		}
	}
	if (!rdebug || read_u64(r, rdebug + 8, &lm))
		lm = 0;
	snprintf(line, sizeof(line),
		 "<library-list-svr4 version=\"1.0\" main-lm=\"0x%llx\">",
		 (unsigned long long)lm);
	tr_buf_append(b, line, strlen(line));
	/* the first entry is the executable: main-lm */
	if (lm && read_u64(r, lm + 24, &lm))
		lm = 0;
	while (lm && guard++ < 4096) {
		uint64_t laddr, lname, lld, next;
		char name[512];
		size_t done = 0;

		if (read_u64(r, lm, &laddr) || read_u64(r, lm + 8, &lname) ||
		    read_u64(r, lm + 16, &lld) || read_u64(r, lm + 24, &next))
			break;
		if (lname)
			tr_mem_read(r->t, lname, name, sizeof(name) - 1,
				    &done);
		name[done] = 0; /* up to its NUL, or what could be read */
		tr_buf_append(b, "<library name=\"", 15);
		rsp_xml_escape(b, name);
		snprintf(line, sizeof(line),
			 "\" lm=\"0x%llx\" l_addr=\"0x%llx\" l_ld=\"0x%llx\" "
			 "lmid=\"0x0\"/>",
			 (unsigned long long)lm, (unsigned long long)laddr,
			 (unsigned long long)lld);
		tr_buf_append(b, line, strlen(line));
		lm = next;
	}
	tr_buf_append(b, "</library-list-svr4>", 20);
	return 0;
}

int
rsp_qxfer(struct rsp *r, const char *p, size_t plen)
{
	/* qXfer:OBJECT:read:ANNEX:OFF,LEN */
	char obj[32], annex[64];
	const char *q = p + 6;
	size_t l = strcspn(q, ":");
	pid_t pid = rsp_pid(r);

	if (l >= sizeof(obj))
		return rsp_reply_str(r, "");
	memcpy(obj, q, l);
	obj[l] = 0;
	q += l;
	if (!strcmp(obj, "siginfo") && !strncmp(q, ":write::", 8))
		return siginfo_write(r, q + 8, p + plen - (q + 8));
	if (strncmp(q, ":read:", 6))
		return rsp_reply_str(r, "");
	q += 6;
	l = strcspn(q, ":");
	if (l >= sizeof(annex) || q[l] != ':')
		return rsp_reply_str(r, "E00");
	memcpy(annex, q, l);
	annex[l] = 0;
	q += l + 1;
	if (!strcmp(obj, "osdata"))
		return rsp_osdata(r, annex, q);
	if (!strcmp(obj, "features")) {
		if (strcmp(annex, "target.xml"))
			return rsp_reply_str(r, "E00");
		return rsp_xfer_reply(r, r->xml, strlen(r->xml), q);
	}
	if (!strcmp(obj, "libraries-svr4")) {
		struct tr_buf b;
		int rc;

		if (svr4_list(r, &b))
			return rsp_reply_str(r, "E01");
		rc = rsp_xfer_reply(r, b.data, b.len, q);
		tr_buf_free(&b);
		return rc;
	}
	if (!strcmp(obj, "siginfo")) {
		siginfo_t si;

		if (tr_siginfo_get(r->t, rsp_gtid(r), &si))
			return rsp_reply_str(r, "E01");
		return rsp_xfer_reply(r, (const char *)&si, sizeof(si), q);
	}
	if (!strcmp(obj, "auxv") || !strcmp(obj, "exec-file")) {
		char path[64], *data = NULL;
		size_t len = 0;
		int rc;

		if (!strcmp(obj, "auxv")) {
			snprintf(path, sizeof(path), "/proc/%d/auxv", pid);
			if (read_file(path, &data, &len))
				return rsp_reply_str(r, "E01");
		} else {
			char exe[4096];
			ssize_t n;

			/* the annex names the process (hex), or none: ours */
			if (*annex) {
				uint64_t v;

				if (tr_rsp_hex_u64(annex, strlen(annex), &v) ||
				    v == 0 || v > INT32_MAX)
					return rsp_reply_str(r, "E00");
				pid = (pid_t)v;
			}
			snprintf(path, sizeof(path), "/proc/%d/exe", pid);
			n = readlink(path, exe, sizeof(exe) - 1);
			if (n <= 0)
				return rsp_reply_str(r, "E01");
			data = strndup(exe, (size_t)n);
			len = (size_t)n;
		}
		rc = rsp_xfer_reply(r, data ? data : "", len, q);
		free(data);
		return rc;
	}
	if (!strcmp(obj, "threads") && (!r->t || r->gone))
		return rsp_xfer_reply(r, "<threads/>\n", 11, q);
	if (!strcmp(obj, "threads")) {
		uint64_t off = strtoull(q, NULL, 16);

		/* Made whole at offset 0 (every thread, its name from /proc)
		 * and kept for the reads that follow, so that a long list read
		 * in many chunks is made once. */
		if (off == 0 || !r->threads_xml) {
			pid_t *tids = NULL;
			size_t n = 0;
			struct tr_buf b;
			char line[160];

			tr_threads_all(r->t, &tids, &n);
			tr_buf_init(&b);
			tr_buf_append(&b, "<?xml version=\"1.0\"?>\n<threads>\n",
				      32);
			for (size_t i = 0; i < n; i++) {
				char name[64] = "", id[48];

				tr_proc_thread_name(pid, tids[i], name,
						    sizeof(name));
				snprintf(line, sizeof(line),
					 "<thread id=\"%s\" core=\"0\" "
					 "name=\"%s\"/>\n",
					 rsp_tid_str(r, tids[i], id, sizeof(id)),
					 name);
				tr_buf_append(&b, line, strlen(line));
			}
			tr_buf_append(&b, "</threads>\n", 11);
			free(tids);
			free(r->threads_xml);
			r->threads_xml = malloc(b.len + 1);
			r->threads_xml_len = r->threads_xml ? b.len : 0;
			if (r->threads_xml)
				memcpy(r->threads_xml, b.data, b.len);
			tr_buf_free(&b);
			if (!r->threads_xml)
				return rsp_reply_str(r, "E01");
		}
		return rsp_xfer_reply(r, r->threads_xml, r->threads_xml_len, q);
	}
	return rsp_reply_str(r, "");
}
