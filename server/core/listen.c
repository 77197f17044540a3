/* listen.c: the listeners: the Unix socket in its private directory, TCP for JSON-RPC clients, and the TCP listeners of the front ends that serve their own connections (gdb). */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/auth.h"
#include "core/listen.h"
#include "core/sess.h"
#include "core/state.h"
#include "endpoint.h"
#include "base/log.h"

/* The socket's directory: made 0700 if missing; refused unless ours and
 * closed to others, so no one else can swap the socket. */
static int
private_dir(const char *path)
{
	char dir[sizeof(srv.sock_path)];
	char *slash;
	struct stat st;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = 0;
	if (mkdir(dir, 0700) && errno != EEXIST) {
		tr_log_error("cannot create %s: %s", dir, strerror(errno));
		return -1;
	}
	if (lstat(dir, &st) || !S_ISDIR(st.st_mode)) {
		tr_log_error("%s is not a directory", dir);
		return -1;
	}
	if (st.st_uid != geteuid() || (st.st_mode & 022)) {
		tr_log_error("%s must belong to us and not be writable by "
			     "others", dir);
		return -1;
	}
	return 0;
}

int
srv__listen_unix(void)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct stat st;
	mode_t old;
	int fd;

	if (srv.o.socket_path) {
		if (strlen(srv.o.socket_path) >= sizeof(a.sun_path)) {
			tr_log_error("socket path too long");
			return -1;
		}
		snprintf(srv.sock_path, sizeof(srv.sock_path), "%s",
			 srv.o.socket_path);
	} else if (tr_ep_default_socket(srv.sock_path,
					sizeof(srv.sock_path))) {
		tr_log_error("default socket path too long");
		return -1;
	}
	if (private_dir(srv.sock_path))
		return -1;
	memcpy(a.sun_path, srv.sock_path, strlen(srv.sock_path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	/* A socket file nobody answers on is a leftover: replace it. */
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0) {
		tr_log_error("another tracerd is listening on %s",
			     srv.sock_path);
		close(fd);
		srv.sock_path[0] = 0;
		return -1;
	}
	close(fd);
	/* Only a socket may be replaced: --socket naming a file of ours
	 * must not delete it. */
	if (lstat(srv.sock_path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			tr_log_error("%s exists and is not a socket: not "
				     "replaced", srv.sock_path);
			srv.sock_path[0] = 0;
			return -1;
		}
		unlink(srv.sock_path);
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	old = umask(077);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) ||
	    chmod(srv.sock_path, 0600) || listen(fd, 64) ||
	    lstat(srv.sock_path, &st)) {
		umask(old);
		tr_log_error("cannot listen on %s: %s", srv.sock_path,
			     strerror(errno));
		if (fd >= 0)
			close(fd);
		srv.sock_path[0] = 0;
		return -1;
	}
	/* what we unlink at the end, if it is still there */
	srv.sock_dev = st.st_dev;
	srv.sock_ino = st.st_ino;
	umask(old);
	srv.ufd = fd;
	tr_log_info("listening on %s", srv.sock_path);
	return 0;
}

/* A non-blocking TCP socket listening on ss (`what`: the address, for
 * the log); -1 when it cannot be. */
static int
tcp_listen(const struct sockaddr_storage *ss, socklen_t sl, int backlog,
	   const char *what)
{
	int one = 1,
	    fd = socket(ss->ss_family,
			SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)ss, sl) || listen(fd, backlog)) {
		tr_log_error("cannot listen on %s: %s", what, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

int
srv__listen_tcp(void)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	bool loop;
	int fd;

	if (tr_ep_parse_tcp(srv.o.tcp, &ss, &sl, &loop)) {
		tr_log_error("--listen %s: expected HOST:PORT", srv.o.tcp);
		return -1;
	}
	if (!loop && (!srv.o.allow_remote || !srv.have_token)) {
		tr_log_error("--listen %s is not a loopback address: it "
			     "needs --allow-remote and --token-file",
			     srv.o.tcp);
		return -1;
	}
	if ((fd = tcp_listen(&ss, sl, 64, srv.o.tcp)) < 0)
		return -1;
	srv.tfd = fd;
	tr_log_info("listening on tcp %s%s", srv.o.tcp,
		    srv.have_token ? " (token required)" : "");
	return 0;
}

/* The listener of front end fe (the --gdb one) on addr: the TCP
 * listener's rules: loopback unless --allow-remote, and then a token,
 * which a client from elsewhere presents in the front end's own way
 * (gdb: monitor auth TOKEN). */
int
srv__listen_front(const struct srv_frontend *fe, const char *addr, int *fdp)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	bool loop;
	int fd;

	if (tr_ep_parse_tcp(addr, &ss, &sl, &loop)) {
		tr_log_error("--%s %s: expected HOST:PORT", fe->name, addr);
		return -1;
	}
	if (!loop && (!srv.o.allow_remote || !srv.have_token)) {
		tr_log_error("--%s %s is not a loopback address: it needs "
			     "--allow-remote and --token-file", fe->name,
			     addr);
		return -1;
	}
	if ((fd = tcp_listen(&ss, sl, 8, addr)) < 0)
		return -1;
	*fdp = fd;
	tr_log_info("%s %s on %s", fe->name, fe->protocol, addr);
	return 0;
}

void
srv_rsp_register(int fd)
{
	pthread_mutex_lock(&srv.mu);
	if (srv.nrsp < 16)
		srv.rsp_fds[srv.nrsp++] = fd;
	pthread_mutex_unlock(&srv.mu);
}

void
srv_rsp_done(int fd)
{
	pthread_mutex_lock(&srv.mu);
	for (unsigned i = 0; i < srv.nrsp; i++)
		if (srv.rsp_fds[i] == fd) {
			srv.rsp_fds[i] = srv.rsp_fds[--srv.nrsp];
			break;
		}
	pthread_mutex_unlock(&srv.mu);
}

/* A connection for front end fe (gdb, DAP): it drives the only session
 * there is. */
void
srv__accept_front(const struct srv_frontend *fe, int lfd)
{
	struct srv_sess *ss = NULL;
	int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC), one = 1, local;
	char what[64];
	uid_t uid;

	if (fd < 0)
		return;
	/* A local peer must be of our uid; one from elsewhere starts with
	 * no session and must present the token first. */
	snprintf(what, sizeof(what), "%s client", fe->name);
	if ((local = srv_peer_admit(fd, true, what, &uid)) < 0) {
		close(fd);
		return;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	pthread_mutex_lock(&srv.mu);
	if (srv.nrsp >= 16) {
		pthread_mutex_unlock(&srv.mu);
		close(fd);
		return;
	}
	if (srv.sesss && srv.sesss->next) {
		pthread_mutex_unlock(&srv.mu);
		tr_log_warn("%s connection refused: several sessions, and "
			    "the %s drives one", fe->name, fe->protocol);
		close(fd);
		return;
	}
	/* the only session; none: extended-remote makes one (vRun,
	 * vAttach) */
	if (local && srv.sesss && !atomic_load(&srv.sesss->ended)) {
		ss = srv.sesss;
		atomic_fetch_add(&ss->refs, 1);
	}
	pthread_mutex_unlock(&srv.mu);
	srv_rsp_register(fd);
	if (fe->start(fd, ss, local > 0)) {
		srv_rsp_done(fd);
		if (ss)
			srv_sess_unref(ss);
		close(fd);
		return;
	}
	if (ss)
		tr_log_info("%s client on session %u", fe->name, ss->id);
	else if (local)
		tr_log_info("%s client, no session yet", fe->name);
	else
		tr_log_info("%s client from elsewhere: no session until it "
			    "presents the token", fe->name);
}

/* At shutdown (epoll thread): hang up on every front end's connection
 * and wait (up to 5 s) for their threads to say they are gone: they use
 * the sessions, which go next. */
void
srv__fronts_shutdown(void)
{
	for (int i = 0; i < 500; i++) {
		pthread_mutex_lock(&srv.mu);
		for (unsigned k = 0; k < srv.nrsp; k++)
			shutdown(srv.rsp_fds[k], SHUT_RDWR);
		i = srv.nrsp ? i : 500;
		pthread_mutex_unlock(&srv.mu);
		if (i < 500)
			usleep(10000);
	}
}

/* Close the listeners; the Unix socket's file goes too. */
void
srv__listen_close(void)
{
	if (srv.ufd >= 0) {
		struct stat st;

		close(srv.ufd);
		/* ours still: another daemon may have replaced it since */
		if (srv.sock_path[0] && lstat(srv.sock_path, &st) == 0 &&
		    S_ISSOCK(st.st_mode) && st.st_dev == srv.sock_dev &&
		    st.st_ino == srv.sock_ino)
			unlink(srv.sock_path);
	}
	if (srv.tfd >= 0)
		close(srv.tfd);
	if (srv.gfd >= 0)
		close(srv.gfd);
	if (srv.dfd >= 0)
		close(srv.dfd);
}
