// SPDX-License-Identifier: GPL-2.0-only
/*
 * Hooks on sockets: sending labels the destination (an endpoint, or the
 * receiving socket of a local connection) after the connect rules allowed
 * it; receiving absorbs what the sender left there.  Every destination the
 * kernel may send to is checked: the address named, the peer, a corked
 * datagram's, source-route hops and SCTP peers.
 */
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/ipv6.h>
#include <linux/net.h>
#include <linux/socket.h>
#include <linux/udp.h>
#include <net/af_unix.h>
#include <net/inet_sock.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/sock.h>
#include <uapi/linux/sctp.h>
#include <uapi/linux/seg6.h>
#include "policy.h"
#include "propagate.h"

/* ---- network endpoints ------------------------------------------------------ */

static __always_inline void ap_ep_set(struct ap_ep_key *k, u16 family, const void *addr,
				      __be16 port)
{
	memset(k, 0, sizeof(*k));
	k->family = family;
	k->port = port;
	if (addr && family == AF_INET)
		memcpy(k->addr, addr, 4);	/* constant sizes: inlined */
	else if (addr)
		memcpy(k->addr, addr, 16);
}

/* The address is all zeros (an IPv4 key's last 12 bytes always are). */
static bool ap_ep_addr_zero(const struct ap_ep_key *k)
{
	const u32 *a = (const u32 *)k->addr;

	return !(a[0] | a[1] | a[2] | a[3]);
}
static_assert(offsetof(struct ap_ep_key, addr) % sizeof(u32) == 0);

static __always_inline void ap_ep_set6(struct ap_ep_key *k, const struct in6_addr *a,
				       __be16 port)
{
	if (ipv6_addr_v4mapped(a))
		ap_ep_set(k, AF_INET, &a->s6_addr32[3], port);
	else
		ap_ep_set(k, AF_INET6, a, port);
}

/*
 * Parse a kernel copy of a sockaddr (connect, sendto).  Inline: every
 * connect and send parses one, and a call costs as much as the parse.
 */
static __always_inline bool ap_ep_parse(const struct sockaddr *sa, int len, struct ap_ep_key *k)
{
	if (!sa || len < (int)sizeof(sa_family_t))
		return false;
	switch (sa->sa_family) {
	case AF_INET: {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;

		if (len < (int)sizeof(*sin))
			return false;
		ap_ep_set(k, AF_INET, &sin->sin_addr, sin->sin_port);
		return true;
	}
	case AF_INET6: {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;

		if (len < SIN6_LEN_RFC2133)
			return false;
		ap_ep_set6(k, &sin6->sin6_addr, sin6->sin6_port);
		return true;
	}
	}
	return false;
}

bool ap_ep_from_sockaddr(const struct sockaddr *sa, int len, struct ap_ep_key *k)
{
	return ap_ep_parse(sa, len, k);
}

static bool ap_ep_is_inet(const struct sock *sk)
{
	return sk && (sk->sk_family == AF_INET || sk->sk_family == AF_INET6);
}

/* ap_ep_dest() below for the unspecified address: where the kernel routes it. */
static noinline void ap_ep_dest_unspec(const struct sock *sk, struct ap_ep_key *k)
{
	if (k->family == AF_INET) {
		__be32 src = inet_sk(sk)->inet_saddr ?: inet_sk(sk)->inet_rcv_saddr;
		__be32 lo = htonl(INADDR_LOOPBACK);

		memcpy(k->addr, src ? &src : &lo, 4);
	} else if (ipv6_addr_v4mapped(&sk->sk_v6_rcv_saddr)) {
		__be32 lo = htonl(INADDR_LOOPBACK);	/* bound to a v4-mapped address */

		ap_ep_set(k, AF_INET, &lo, k->port);
	} else {
		memcpy(k->addr, &in6addr_loopback, 16);
	}
}

/*
 * The destination the kernel will really use when @sk connects or sends to
 * @sa.  Two forms name a destination indirectly:
 *  - sin_family AF_UNSPEC on an IPv4 socket: udp_sendmsg and raw_sendmsg
 *    take it as AF_INET (only sendmsg; connect with AF_UNSPEC disconnects);
 *  - the unspecified address (0.0.0.0, ::, ::ffff:0.0.0.0): routed to the
 *    socket's bound IPv4 address or to loopback (ip_route_connect, and
 *    tcp_v6_connect / ip6_datagram_connect for ::).
 * A rule on 127.0.0.1 or ::1 must see those sends as what they are.
 */
static __always_inline bool ap_ep_dest(const struct sock *sk, const struct sockaddr *sa, int len,
				       bool send, struct ap_ep_key *k)
{
	if (send && sa && sa->sa_family == AF_UNSPEC && sk->sk_family == AF_INET &&
	    len >= (int)sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;

		ap_ep_set(k, AF_INET, &sin->sin_addr, sin->sin_port);
	} else if (!ap_ep_parse(sa, len, k)) {
		return false;
	}
	if (ap_ep_addr_zero(k))
		ap_ep_dest_unspec(sk, k);
	return true;
}

/*
 * A UDP socket with a corked datagram (MSG_MORE, UDP_CORK): udp_sendmsg and
 * udpv6_sendmsg append to it and ignore any address given, so the data goes
 * where the cork's flow says, whatever msg_name or the peer are.
 */
static bool ap_ep_corked(struct sock *sk, struct ap_ep_key *k)
{
	const struct flowi *fl = &inet_sk(sk)->cork.fl;

	if (sk->sk_type != SOCK_DGRAM ||
	    (sk->sk_protocol != IPPROTO_UDP && sk->sk_protocol != IPPROTO_UDPLITE))
		return false;
	switch (READ_ONCE(udp_sk(sk)->pending)) {
	case AF_INET:
		ap_ep_set(k, AF_INET, &fl->u.ip4.daddr, fl->u.ip4.fl4_dport);
		return true;
	case AF_INET6:
		ap_ep_set6(k, &fl->u.ip6.daddr, fl->u.ip6.fl6_dport);
		return true;
	}
	return false;
}

enum ap_sock_end { AP_END_LOCAL, AP_END_PEER };

/*
 * An inet socket's own address (AP_END_LOCAL) or its connected peer's
 * (AP_END_PEER) as a key.  Return: false if that end has no port (not
 * bound, not connected).
 */
static bool ap_ep_sock_end(const struct sock *sk, enum ap_sock_end end, struct ap_ep_key *k)
{
	const struct inet_sock *inet = inet_sk(sk);
	__be16 port = end == AP_END_PEER ? inet->inet_dport : inet->inet_sport;

	if (sk->sk_family == AF_INET6)
		ap_ep_set6(k, end == AP_END_PEER ? &sk->sk_v6_daddr : &sk->sk_v6_rcv_saddr, port);
	else
		ap_ep_set(k, AF_INET, end == AP_END_PEER ? &inet->inet_daddr :
			  &inet->inet_rcv_saddr, port);
	return port != 0;
}

static bool ap_ep_is_local_addr(const struct ap_ep_key *k)
{
	if (ap_ep_addr_zero(k))
		return true;
	if (k->family == AF_INET)
		return k->addr[0] == 127;
	return ipv6_addr_loopback((const struct in6_addr *)k->addr);
}

/* The wildcard-address form of @k: what a socket bound to any address sees. */
static void ap_ep_any(const struct ap_ep_key *k, struct ap_ep_key *any)
{
	ap_ep_set(any, k->family, NULL, k->port);
}

/*
 * Data with @labels is sent to @k.  A loopback destination is also recorded
 * under the wildcard address, so a receiver bound to 0.0.0.0 / :: finds it.
 */
static int ap_ep_send(const struct ap_ep_key *k, u64 labels)
{
	struct ap_ep_key any;
	int ret = ap_ep_write(k, labels);

	if (!ret && ap_ep_is_local_addr(k)) {
		ap_ep_any(k, &any);
		ret = ap_ep_write(&any, labels);
	}
	return ret;
}

/* Labels of what a socket receives: its own address (local senders) and its peer. */
static u64 ap_ep_recv_labels(const struct sock *sk)
{
	struct ap_ep_key k, any;
	u64 l = 0;

	if (!ap_mem_count_of(AP_OBJ_ENDPOINT))
		return 0;
	if (ap_ep_sock_end(sk, AP_END_LOCAL, &k)) {
		l |= ap_ep_labels(&k);
		if (ap_ep_is_local_addr(&k)) {
			ap_ep_any(&k, &any);
			l |= ap_ep_labels(&any);
		}
	}
	if (ap_ep_sock_end(sk, AP_END_PEER, &k))
		l |= ap_ep_labels(&k);
	return l;
}

/*
 * No rule, source or other use of @op can be about @k: the machine's index
 * for @op misses it (ap_epidx_misses()), or, if any session policy has
 * uses of @op, every index the current process's events are queried in
 * does (ap_ep_sessions_miss()).  So the evaluation would find nothing,
 * whatever the process's labels: asked before it, on every connect and
 * send, instead of the no-hit cache's key and lookup.
 */
static __always_inline bool ap_ep_no_rule(const struct ap_ep_key *k, u8 op)
{
	const struct ap_policy *pol;
	bool rcu, none;

	rcu = ap_rcu_lock();
	pol = ap_policy_get();
	if (unlikely(atomic_read(&ap_spol_ep[op])))
		none = ap_ep_sessions_miss(pol, op, k);
	else
		none = !pol || ap_epidx_misses(&pol->ep[op], k);
	ap_rcu_unlock(rcu);
	return none;
}

/*
 * Rules about sending to (connect) or receiving from (recv) endpoint @k,
 * for the current process seen with @view added to its labels.
 */
static __always_inline int ap_eval_ep_as(const struct ap_ep_key *k, u8 op, u64 view)
{
	if (!ap_policy_loaded() || ap_ep_no_rule(k, op))
		return 0;	/* nothing to evaluate */
	return ap_evaluate_ep(k, op, view);
}

static __always_inline int ap_eval_ep(const struct ap_ep_key *k, u8 op)
{
	return ap_eval_ep_as(k, op, 0);
}

/* ap_ep_label() past the memo: label @k, or remember it had the labels already. */
static noinline int ap_ep_label_slow(const struct ap_ep_key *k)
{
	unsigned long epoch = ap_flow_epoch_now();
	u64 l = ap_task_labels(current);
	struct ap_ep_key any;

	if (l && (ap_ep_labels(k) & l) != l)
		return ap_ep_send(k, l);
	if (l && ap_ep_is_local_addr(k)) {
		ap_ep_any(k, &any);
		if ((ap_ep_labels(&any) & l) != l)
			return ap_ep_send(k, l);
	}
	ap_ep_remember(k, epoch);	/* nothing to move: ask no more until a change */
	return 0;
}

/*
 * The current process's data may go to @k: only if the connect rules allow
 * it, and then @k carries the sender's labels.  Every destination the kernel
 * can send to (the address, a corked datagram's, source-route hops, SCTP
 * peers) goes through ap_ep_dest_send() or through ap_ep_check_dest() +
 * ap_ep_label().
 */
static __always_inline int ap_ep_label(const struct ap_ep_key *k)
{
	if (!ap_tasks_tracked() || ap_ep_unchanged(k))
		return 0;	/* no labeled process; or nothing new for @k (task.h) */
	return ap_ep_label_slow(k);
}

static int ap_ep_dest_send(const struct ap_ep_key *k)
{
	return ap_eval_ep(k, ACTPLANE_OP_CONNECT) ?: ap_ep_label(k);
}

/* ---- source routing ---------------------------------------------------------- */

/*
 * A source route sends the packet to the hops it lists before the
 * destination, and the kernel routes to the first hop (ip_route_connect
 * with opt.faddr, fl6_update_dst): IPv4 LSRR/SSRR options and IPv6 routing
 * headers (types 2 and 4) need no privilege, as a socket option or as
 * ancillary data.  Every listed address is a destination the rules see,
 * with the destination's port; any of them refused refuses the send.
 */
struct ap_route_ctx {
	__be16 port;
	int ret;
};

static void ap_route_hop(struct ap_route_ctx *c, u16 family, const void *addr)
{
	struct ap_ep_key k;

	if (c->ret)
		return;
	if (family == AF_INET)
		ap_ep_set(&k, AF_INET, addr, c->port);
	else
		ap_ep_set6(&k, addr, c->port);
	c->ret = ap_ep_dest_send(&k);
}

/* Raw IPv4 options (as given to IP_OPTIONS or IP_RETOPTS): the addresses of LSRR/SSRR. */
static void ap_route_ip_opts(struct ap_route_ctx *c, const u8 *p, size_t len)
{
	size_t i = 0, olen, a;

	while (i < len && p[i] != IPOPT_END) {
		if (p[i] == IPOPT_NOOP) {
			i++;
			continue;
		}
		if (i + 1 >= len || p[i + 1] < 2 || i + p[i + 1] > len)
			return;		/* malformed: ip_options_compile refuses it */
		olen = p[i + 1];
		if (p[i] == IPOPT_LSRR || p[i] == IPOPT_SSRR)
			for (a = 3; a + 4 <= olen; a += 4)
				ap_route_hop(c, AF_INET, p + i + a);
		i += olen;
	}
}

static void ap_route_rthdr(struct ap_route_ctx *c, const struct ipv6_rt_hdr *rt, size_t len)
{
	const struct in6_addr *a = (const void *)(rt + 1) + 4;	/* after the 8-byte header */
	size_t n, i;

	if (len < 8)
		return;
	if (rt->type == IPV6_SRCRT_TYPE_4)
		n = ((const struct ipv6_sr_hdr *)rt)->first_segment + 1;
	else
		n = rt->hdrlen / 2;
	n = min(n, (len - 8) / sizeof(*a));
	for (i = 0; i < n; i++)
		ap_route_hop(c, AF_INET6, &a[i]);
}

/*
 * Destinations given as ancillary data (sendmsg copied it into the kernel
 * before the hook): IPv4 source routes (IP_RETOPTS) and IPv6 routing
 * headers for UDP and raw sockets; SCTP_DSTADDRV4/V6, more peers of a new
 * association, for SCTP, which ignores the IP-level ones.
 */
static void ap_cmsg_dests(struct ap_route_ctx *c, const struct msghdr *msg, bool sctp)
{
	struct cmsghdr *cmsg;

	if (!msg || !msg->msg_controllen || msg->msg_control_is_user)
		return;
	for_each_cmsghdr(cmsg, (struct msghdr *)msg) {
		size_t len;

		if (!CMSG_OK(msg, cmsg) || c->ret)
			break;
		len = cmsg->cmsg_len - CMSG_LEN(0);
		if (sctp) {
			if (cmsg->cmsg_level != IPPROTO_SCTP)
				continue;
			if (cmsg->cmsg_type == SCTP_DSTADDRV4 && len >= sizeof(struct in_addr))
				ap_route_hop(c, AF_INET, CMSG_DATA(cmsg));
			else if (cmsg->cmsg_type == SCTP_DSTADDRV6 &&
				 len >= sizeof(struct in6_addr))
				ap_route_hop(c, AF_INET6, CMSG_DATA(cmsg));
		} else if (cmsg->cmsg_level == SOL_IP && cmsg->cmsg_type == IP_RETOPTS) {
			ap_route_ip_opts(c, CMSG_DATA(cmsg), len);
		} else if (cmsg->cmsg_level == SOL_IPV6 &&
			   (cmsg->cmsg_type == IPV6_RTHDR || cmsg->cmsg_type == IPV6_2292RTHDR)) {
			ap_route_rthdr(c, (const void *)CMSG_DATA(cmsg), len);
		}
	}
}

static noinline int ap_source_route_slow(struct sock *sk, const struct msghdr *msg,
					 const struct ipv6_pinfo *np, __be16 port)
{
	struct ap_route_ctx c = { .port = port };
	const struct ip_options_rcu *o4;
	const struct ipv6_txoptions *o6;

	rcu_read_lock();
	o4 = rcu_dereference(inet_sk(sk)->inet_opt);
	if (o4 && o4->opt.srr) {
		ap_route_hop(&c, AF_INET, &o4->opt.faddr);
		if (o4->opt.srr >= sizeof(struct iphdr) &&
		    o4->opt.srr - sizeof(struct iphdr) < o4->opt.optlen)
			ap_route_ip_opts(&c, o4->opt.__data + o4->opt.srr - sizeof(struct iphdr),
					 o4->opt.optlen - (o4->opt.srr - sizeof(struct iphdr)));
	}
	o6 = np ? rcu_dereference(np->opt) : NULL;
	if (o6 && o6->srcrt)
		ap_route_rthdr(&c, o6->srcrt, (o6->srcrt->hdrlen + 1) << 3);
	rcu_read_unlock();

	ap_cmsg_dests(&c, msg, false);
	return c.ret;
}

static __always_inline int ap_source_route(struct sock *sk, const struct msghdr *msg, __be16 port)
{
	const struct ipv6_pinfo *np = sk->sk_family == AF_INET6 ? inet6_sk(sk) : NULL;

	if (!rcu_access_pointer(inet_sk(sk)->inet_opt) && !(np && rcu_access_pointer(np->opt)) &&
	    !(msg && msg->msg_controllen))
		return 0;	/* the common case: no options, no ancillary data */
	return ap_source_route_slow(sk, msg, np, port);
}

/* The connect rules on destination @k and on the hops of a source route to it. */
static __always_inline int ap_ep_check_dest(struct sock *sk, const struct msghdr *msg,
					    const struct ap_ep_key *k)
{
	return ap_eval_ep(k, ACTPLANE_OP_CONNECT) ?: ap_source_route(sk, msg, k->port);
}

/*
 * Nothing a send or connect could be refused by or carry: no rules, and no
 * process with label state (a process outside any session gets it with its
 * first label, so no labeled data can be in flight: docs/SECURITY.md §4.5).
 */
static bool ap_net_idle(void)
{
	return !ap_policy_loaded() && !ap_tasks_tracked();
}

/* One function for the whole check: each call on the way cost as much as its work. */
static noinline int ap_socket_connect(struct socket *sock, struct sockaddr *addr, int addrlen)
{
	struct ap_ep_key k __uninitialized;	/* every byte set by ap_ep_set() */

	if (!ap_ep_is_inet(sock->sk) || !ap_ep_dest(sock->sk, addr, addrlen, false, &k))
		return 0;	/* AF_UNIX: data flows via sendmsg to the peer */
	return ap_ep_check_dest(sock->sk, NULL, &k) ?: ap_ep_label(&k);
}

int ap_on_socket_connect(struct socket *sock, struct sockaddr *addr, int addrlen)
{
	if (ap_net_idle())
		return 0;	/* before the frame is set up: the machine with no session */
	return ap_socket_connect(sock, addr, addrlen);
}

/*
 * SCTP: an association may send to any of the peer's addresses, and a
 * one-to-many socket sends to associations named by id (or to all of them,
 * SCTP_SENDALL) with no address in the call.  Addresses given are checked;
 * beyond that the destination of a labeled process's data cannot be known
 * here, so with endpoint rules loaded the send follows the fail mode.
 */
static int ap_sctp_sendmsg(struct sock *sk, struct msghdr *msg)
{
	struct ap_route_ctx c = { 0 };
	struct ap_ep_key k;

	if (msg->msg_name && msg->msg_namelen &&
	    ap_ep_dest(sk, msg->msg_name, msg->msg_namelen, true, &k)) {
		c.ret = ap_ep_dest_send(&k);
		c.port = k.port;	/* the port of SCTP_DSTADDRV4/V6 peers */
	}
	ap_cmsg_dests(&c, msg, true);
	if (!c.ret && ap_task_labels(current) && ap_policy_has_ep_rules(ACTPLANE_OP_CONNECT))
		c.ret = ap_incomplete();
	return c.ret;
}

/* connectx, a sendmsg that sets up an association, SCTP_PRIMARY_ADDR: packed peer addresses */
int ap_on_sctp_connect(struct sock *sk, int optname, struct sockaddr *addrs, int len)
{
	struct ap_ep_key k;
	int off = 0, sz, ret = 0;

	if (optname != SCTP_SOCKOPT_CONNECTX && optname != SCTP_SENDMSG_CONNECT &&
	    optname != SCTP_PRIMARY_ADDR)
		return 0;	/* local addresses (bindx, ASCONF) */
	while (!ret && off + (int)sizeof(sa_family_t) <= len) {
		struct sockaddr *sa = (void *)addrs + off;

		sz = sa->sa_family == AF_INET ? sizeof(struct sockaddr_in) :
		     sa->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) : 0;
		if (!sz || off + sz > len)
			break;		/* sctp refuses the list (EINVAL) */
		if (ap_ep_dest(sk, sa, sz, false, &k))
			ret = ap_ep_dest_send(&k);
		off += sz;
	}
	return ret;
}

/* ---- sends in flight ----------------------------------------------------------- */

/*
 * A send is checked when it starts (socket_sendmsg), but the protocol
 * copies the data from the process's memory while it runs: a large TCP
 * send blocks for buffer space, and sendmmsg sends its later messages to
 * the same address without the LSM hook.  A sibling thread that reads a
 * secret meanwhile would put it into data already judged.  So each send of
 * a tracked process (one with label state: every session process) is
 * recorded in its process (struct ap_send) from the check until the
 * protocol's sendmsg returns (the sock_send_length tracepoint; for sendmmsg
 * until the call returns), and a label arriving meanwhile must pass ap_sends_admit().
 * Processes without label state are not recorded: a label that arrives
 * during their send is not checked against it (docs/SECURITY.md §4.5).
 */
static atomic_t ap_sends_recorded = ATOMIC_INIT(0);

/*
 * The slot of the current thread in @p, or a free one (with @alloc, the
 * slots are allocated at the process's first send), or NULL.  Under p->lock.
 */
static struct ap_send *ap_send_slot(struct ap_proc *p, bool alloc)
{
	struct ap_send *free = NULL;
	int i;

	if (!p->sends) {
		if (!alloc || !ap_charge(AP_OBJ_PROC, sizeof(*p->sends)))
			return NULL;
		p->sends = kzalloc(sizeof(*p->sends), GFP_NOWAIT | __GFP_NOWARN);
		if (!p->sends) {
			ap_uncharge(AP_OBJ_PROC, sizeof(*p->sends));
			return NULL;
		}
	}
	for (i = 0; i < AP_SEND_SLOTS; i++) {
		if (p->sends->s[i].task == current)
			return &p->sends->s[i];
		if (!p->sends->s[i].task && !free)
			free = &p->sends->s[i];
	}
	return free;
}

/*
 * Record the current thread's send (@kind, to @k or into @chan) and return
 * its process's labels; *@arriving gets the labels that are arriving right
 * now, with which the send must be checked as well.  @batch: a sendmmsg
 * begins (held until ap_send_end(true)).
 */
static u64 ap_send_begin(enum ap_send_kind kind, const struct ap_ep_key *k, const void *chan,
			 bool batch, u64 *arriving)
{
	bool rcu;
	struct ap_send *s;
	unsigned long flags;
	struct ap_proc *p;
	u64 l = 0;

	*arriving = 0;
	if (!ap_tasks_tracked())
		return 0;	/* no process is tracked */
	rcu = ap_rcu_lock();
	p = ap_proc_of(current);
	if (!p)
		goto out;
	/*
	 * The only thread of a process is in this send: no other can take in
	 * a label before it returns, nor be created meanwhile (arrivals into
	 * the process are checked only when it runs them), so there is
	 * nothing to record: the common case, at the cost of one read.
	 */
	if (READ_ONCE(current->signal->nr_threads) == 1) {
		l = atomic64_read(&p->labels);
		goto out;
	}
	spin_lock_irqsave(&p->lock, flags);
	s = ap_send_slot(p, true);
	if (s) {
		if (!s->task) {
			s->task = current;
			s->batch = false;
			p->nsend++;
			atomic_inc(&ap_sends_recorded);
		}
		s->batch |= batch;
		if (kind == AP_SEND_EP)
			s->k = *k;
		else if (kind == AP_SEND_CHAN)
			s->chan = chan;
		if (kind != AP_SEND_NONE || !s->kind)
			s->kind = kind;
	} else if (p->send_lost < U8_MAX) {
		p->send_lost++;		/* every arrival follows the fail mode meanwhile */
	}
	l = atomic64_read(&p->labels);
	*arriving = p->arriving;
	spin_unlock_irqrestore(&p->lock, flags);
out:
	ap_rcu_unlock(rcu);
	return l;
}

/*
 * The current thread's send is over (the protocol's sendmsg returned, or
 * the check refused it).  Inside a sendmmsg the record stays until
 * @batch_end.  A send that was not recorded for lack of a slot is counted
 * off instead (approximately: enough to end the fail mode's reign).
 */
static void ap_send_end(bool batch_end)
{
	bool rcu;
	struct ap_send *s;
	unsigned long flags;
	struct ap_proc *p;

	if (!atomic_read(&ap_sends_recorded) && !batch_end)
		return;
	rcu = ap_rcu_lock();
	p = ap_proc_of(current);
	if (!p || (!READ_ONCE(p->nsend) && !READ_ONCE(p->send_lost)))
		goto out;
	spin_lock_irqsave(&p->lock, flags);
	s = ap_send_slot(p, false);
	if (s && s->task == current) {
		if (!s->batch || batch_end) {
			memset(s, 0, sizeof(*s));
			p->nsend--;
			atomic_dec(&ap_sends_recorded);
		}
	} else if (p->send_lost && !batch_end) {
		p->send_lost--;
	}
	spin_unlock_irqrestore(&p->lock, flags);
out:
	ap_rcu_unlock(rcu);
}

/*
 * Labels @add arrive at the current process while @n of its sends are in
 * flight (and @lost were not recorded).  Each destination must accept them
 * under the connect rules, evaluated as if the process carried them
 * already; then each destination carries them.  A refusal refuses the
 * arrival (-EPERM) if @may_refuse; otherwise the data has been taken in
 * already, and the process, which is sending where it may not, is killed.
 */
int ap_sends_admit(const struct ap_send *sends, u32 n, u32 lost, u64 add, bool may_refuse)
{
	int ret = 0;
	u32 i;

	for (i = 0; i < n && !ret; i++)
		if (sends[i].kind == AP_SEND_EP)
			ret = ap_eval_ep_as(&sends[i].k, ACTPLANE_OP_CONNECT, add);
	if (!ret && lost && ap_policy_has_ep_rules(ACTPLANE_OP_CONNECT))
		ret = ap_incomplete();
	if (ret) {
		if (may_refuse)
			return ret;
		send_sig(SIGKILL, current, 1);
		ap_stats_inc(ACTPLANE_CTR_KILLED);
	}
	for (i = 0; i < n; i++) {
		if (sends[i].kind == AP_SEND_EP)
			ap_ep_send(&sends[i].k, add);
		else if (sends[i].kind == AP_SEND_CHAN)
			ap_chan_write(sends[i].chan, add, ACTPLANE_PROV_SOCKET);
	}
	return 0;
}

/*
 * The sock_send_length tracepoint: sock_sendmsg_nosec() returned, for every
 * message (also sendmmsg's later ones) of every protocol.  A tracepoint, not
 * an fexit on each protocol's sendmsg: it costs a fraction of a trampoline.
 */
void ap_on_sock_send_done(struct sock *sk)
{
	ap_send_end(false);
}

/* fentry / fexit of sendmmsg(2) */
void ap_on_sendmmsg_begin(void)
{
	u64 arriving;

	ap_send_begin(AP_SEND_NONE, NULL, NULL, true, &arriving);
}

void ap_on_sendmmsg_end(void)
{
	ap_send_end(true);
}

/* The current thread exits: no send of it is in flight any more. */
void ap_send_exit(void)
{
	if (atomic_read(&ap_sends_recorded))
		ap_send_end(true);
}

/*
 * A zero-copy send (MSG_ZEROCOPY on a SO_ZEROCOPY socket, io_uring's
 * SEND_ZC) leaves the data in the process's pages after the call returns,
 * until the protocol transmits it: what the process puts there later, with
 * a label it takes in meanwhile, leaves unchecked, and nothing tells the
 * module when the pages are done.  A tracked process's zero-copy send
 * therefore follows the fail mode when connect rules are loaded.
 */
static int ap_send_zerocopy(const struct sock *sk, const struct msghdr *msg)
{
	bool tracked;

	if (likely(!(msg->msg_flags & MSG_ZEROCOPY)) ||
	    !(msg->msg_ubuf || sock_flag(sk, SOCK_ZEROCOPY)))
		return 0;
	rcu_read_lock();
	tracked = ap_proc_of(current);
	rcu_read_unlock();
	return tracked && ap_policy_has_ep_rules(ACTPLANE_OP_CONNECT) ? ap_incomplete() : 0;
}

int ap_on_socket_sendmsg(struct socket *sock, struct msghdr *msg)
{
	struct sock *sk = sock->sk, *peer;
	struct ap_ep_key k __uninitialized;	/* every byte set by ap_ep_set() */
	u64 l, arriving = 0;

	if (!sk || ap_net_idle())
		return 0;
	if (ap_ep_is_inet(sk) && sk->sk_protocol == IPPROTO_SCTP)
		return ap_sctp_sendmsg(sk, msg);
	if (ap_ep_is_inet(sk)) {
		int ret;

		/*
		 * Where the data goes: a corked datagram's destination (the
		 * cork is read without the socket lock, and another thread may
		 * cork or uncork before udp_sendmsg takes it, so the address
		 * named is checked as well), msg_name (the kernel's copy,
		 * sendto), else the peer.  With none of them the protocol
		 * refuses the send (EDESTADDRREQ, ENOTCONN/EPIPE) before any
		 * data moves.
		 */
		ret = ap_send_zerocopy(sk, msg);
		if (ret)
			return ret;
		if (ap_ep_corked(sk, &k)) {
			ret = ap_ep_dest_send(&k);
			if (ret)
				return ret;
		}
		if (!(msg->msg_name && msg->msg_namelen &&
		      ap_ep_dest(sk, msg->msg_name, msg->msg_namelen, true, &k)) &&
		    !ap_ep_sock_end(sk, AP_END_PEER, &k))
			return 0;
		/*
		 * Every send is checked: labels may have grown since connect().
		 * Recorded first, so a label arriving from now on either sees
		 * this send or is in @arriving.
		 */
		l = ap_send_begin(AP_SEND_EP, &k, NULL, false, &arriving);
		ret = (arriving ? ap_eval_ep_as(&k, ACTPLANE_OP_CONNECT, arriving) : 0) ?:
		      ap_ep_check_dest(sk, msg, &k) ?:
		      ((l | arriving) ? ap_ep_send(&k, l | arriving) : 0);
		if (ret)
			ap_send_end(false);
		return ret;
	}
	if (sk->sk_family == AF_UNIX && sk->sk_type != SOCK_DGRAM) {
		int ret;

		/*
		 * Stream and seqpacket: label the receiving end (only used as
		 * a key), now and with what arrives while the data is still
		 * being copied (a stream send waits for buffer space between
		 * chunks, a seqpacket one before its copy).
		 */
		peer = READ_ONCE(unix_peer(sk));
		if (!peer)
			return 0;
		l = ap_send_begin(AP_SEND_CHAN, NULL, peer, false, &arriving) | arriving;
		ret = l ? ap_chan_write(peer, l, ACTPLANE_PROV_SOCKET) : 0;
		if (ret)
			ap_send_end(false);
		return ret;
	}
	return 0;	/* AF_UNIX datagrams: ap_on_unix_may_send() */
}

int ap_on_unix_may_send(struct socket *sock, struct socket *other)
{
	u64 l;

	l = ap_task_labels(current);
	if (!l || !other->sk)
		return 0;
	return ap_chan_write(other->sk, l, ACTPLANE_PROV_SOCKET);
}

/* The current process takes in what @sock receives. */
int ap_sock_flow_in(struct socket *sock, bool done)
{
	struct sock *sk = sock->sk;
	u64 l = 0;

	if (!sk)
		return 0;
	if (ap_ep_is_inet(sk))
		l = ap_ep_recv_labels(sk);
	else if (sk->sk_family == AF_UNIX)
		l = ap_chan_labels(sk);
	if (!done)
		return ap_flow_in(l, READ, SOCK, sk);
	ap_flow_in_done(l, READ, SOCK, sk);
	return 0;
}

/*
 * Provenance: the records of what @sk receives that carry some of @labels
 * (the slow path of a flow, under RCU): a Unix socket's own, or those of
 * the first endpoint ap_ep_recv_labels() reads that has some of them.
 */
const struct ap_prov *ap_sock_prov(const struct sock *sk, u64 labels)
{
	struct ap_ep_key k[3];
	u32 n = 0, i;

	if (sk->sk_family == AF_UNIX)
		return ap_chan_prov(sk);
	if (ap_ep_sock_end(sk, AP_END_LOCAL, &k[n])) {
		n++;
		if (ap_ep_is_local_addr(&k[n - 1])) {
			ap_ep_any(&k[n - 1], &k[n]);
			n++;
		}
	}
	if (ap_ep_sock_end(sk, AP_END_PEER, &k[n]))
		n++;
	for (i = 0; i < n; i++)
		if (ap_ep_labels(&k[i]) & labels)
			return ap_ep_prov(&k[i]);
	return NULL;
}

int ap_on_socket_recvmsg(struct socket *sock)
{
	struct ap_ep_key k;
	int ret;

	if (sock->sk && ap_ep_is_inet(sock->sk) && ap_ep_sock_end(sock->sk, AP_END_PEER, &k)) {
		ret = ap_eval_ep(&k, ACTPLANE_OP_RECV);
		if (ret)
			return ret;
	}
	return ap_sock_flow_in(sock, false);
}

/*
 * After a protocol's recvmsg returned data: the sender may have labeled it
 * while the receiver waited, and recvmmsg receives every message after the
 * first without the LSM hook (sock_recvmsg_nosec).
 */
void ap_on_sock_recv_done(struct socket *sock, int ret)
{
	if (ret > 0)
		ap_sock_flow_in(sock, true);
}

void ap_on_sk_free(struct sock *sk)
{
	if (sk->sk_family == AF_UNIX)
		ap_chan_free(sk);
}
