/* state.c: the daemon's state, which the core's files share, and the eventfd that wakes its epoll loop. */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "core/state.h"
#include "base/log.h"

struct srv_daemon srv = { .ufd = -1, .tfd = -1, .sfd = -1, .wfd = -1,
			 .gfd = -1, .dfd = -1 };

void
srv__wake_loop(void)
{
	uint64_t one = 1;

	if (write(srv.wfd, &one, sizeof(one)) < 0)
		tr_log_debug("wake: %s", strerror(errno));
}
