# ActPlane — `make install` / `make uninstall` (included by the top Makefile).
#
#   make install [PREFIX=/usr/local] [DESTDIR=]   (as root)
#     - the tool to $(DESTDIR)$(PREFIX)/bin/actplane; the BPF hook programs and
#       the shipped enforcers are embedded in it (libbpf skeleton, .incbin)
#     - its man page to $(PREFIX)/share/man/man8/actplane.8 and its bash
#       completion to $(PREFIX)/share/bash-completion/completions/actplane,
#       both generated from the tool's command table (`make tool` makes them)
#     - the module sources to $(DESTDIR)/usr/src/actplane-VERSION with
#       dkms.conf, then `dkms add/build/install` for the running kernel when
#       dkms is present and DESTDIR is empty (packaging runs dkms itself)
#     - the boot service: $(UNITDIR)/actplane.service (ExecStart the installed
#       tool), /etc/actplane/actplane.conf and base.yaml when not there yet
#       (an edited configuration is kept), the system group `actplane`; then
#       `systemctl daemon-reload` when systemd runs and DESTDIR is empty.
#       Not enabled: systemctl enable --now actplane
#   make uninstall
#     - dkms remove, the sources, the tool, its man page and completion,
#       the unit (the configuration in /etc/actplane stays)
# See docs/install.md.

PREFIX  ?= /usr/local
MANDIR  ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
DESTDIR ?=
DKMS    ?= dkms
UNITDIR ?= /lib/systemd/system
CONFDIR ?= /etc/actplane

AP_VERSION   := $(shell sed -n 's/^\#define ACTPLANE_VERSION "\(.*\)"/\1/p' $(TOP)/kmod/actplane.h)
AP_SRC_DIR   := $(DESTDIR)/usr/src/actplane-$(AP_VERSION)
# module sources only: not kbuild's generated actplane.mod.c
AP_KMOD_SRC  := $(filter-out %.mod.c,$(wildcard $(TOP)/kmod/*.c)) $(wildcard $(TOP)/kmod/*.h) \
                $(TOP)/kmod/Kbuild

.PHONY: install install-tool install-dkms install-service uninstall

install: install-tool install-dkms install-service
	@echo "installed actplane $(AP_VERSION); check this host with: actplane doctor"

install-tool: tool
	install -D -m 0755 $(TOOL) $(DESTDIR)$(PREFIX)/bin/actplane
	install -D -m 0644 $(MAN8) $(DESTDIR)$(MANDIR)/man8/actplane.8
	install -D -m 0644 $(BASH_COMPLETION) $(DESTDIR)$(BASHCOMPDIR)/actplane

# the unit, with ExecStart at the installed tool (also used by the unit test)
$(B)/actplane.service: $(TOP)/dist/actplane.service.in
	@mkdir -p $(dir $@)
	sed 's|@BINDIR@|$(PREFIX)/bin|g' $< > $@

install-service: $(B)/actplane.service
	install -D -m 0644 $(B)/actplane.service $(DESTDIR)$(UNITDIR)/actplane.service
	install -d $(DESTDIR)$(CONFDIR)
	test -e $(DESTDIR)$(CONFDIR)/actplane.conf || \
		install -m 0644 $(TOP)/dist/actplane.conf $(DESTDIR)$(CONFDIR)/actplane.conf
	test -e $(DESTDIR)$(CONFDIR)/base.yaml || \
		install -m 0644 $(TOP)/dist/base.yaml $(DESTDIR)$(CONFDIR)/base.yaml
	@if [ -z "$(DESTDIR)" ]; then \
		getent group actplane >/dev/null || groupadd --system actplane; \
		if [ -d /run/systemd/system ]; then systemctl daemon-reload; fi; \
		echo "service installed: add users with 'usermod -aG actplane USER', then"; \
		echo "  systemctl enable --now actplane"; \
	fi

install-dkms:
	@test -n "$(AP_VERSION)" || { echo "cannot read ACTPLANE_VERSION from kmod/actplane.h" >&2; exit 1; }
	rm -rf $(AP_SRC_DIR)
	install -d $(AP_SRC_DIR)/kmod $(AP_SRC_DIR)/include/uapi $(AP_SRC_DIR)/include/actplane
	install -m 0644 $(TOP)/Kbuild $(AP_SRC_DIR)/Kbuild
	install -m 0644 $(AP_KMOD_SRC) $(AP_SRC_DIR)/kmod/
	install -m 0644 $(TOP)/include/uapi/*.h $(AP_SRC_DIR)/include/uapi/
	install -m 0644 $(TOP)/include/actplane/*.h $(AP_SRC_DIR)/include/actplane/
	sed 's/^PACKAGE_VERSION=.*/PACKAGE_VERSION="$(AP_VERSION)"/' $(TOP)/dkms.conf > $(AP_SRC_DIR)/dkms.conf
	@if [ -n "$(DESTDIR)" ]; then \
		echo "DESTDIR set: not running dkms (run: dkms install actplane/$(AP_VERSION))"; \
	elif command -v $(DKMS) >/dev/null 2>&1; then \
		set -e; \
		$(DKMS) remove actplane/$(AP_VERSION) --all >/dev/null 2>&1 || true; \
		$(DKMS) add actplane/$(AP_VERSION); \
		$(DKMS) build actplane/$(AP_VERSION); \
		$(DKMS) install actplane/$(AP_VERSION); \
	else \
		echo "dkms not found: the module sources are in $(AP_SRC_DIR)."; \
		echo "  install dkms (sudo apt install dkms) and run: sudo dkms install actplane/$(AP_VERSION)"; \
		echo "  or build once for this kernel: make -C /lib/modules/\$$(uname -r)/build M=$(AP_SRC_DIR) MODULE_PAHOLE_FLAGS= RESOLVE_BTFIDS_FLAGS= modules"; \
	fi

uninstall:
	@if [ -z "$(DESTDIR)" ] && command -v $(DKMS) >/dev/null 2>&1 && \
	    $(DKMS) status -m actplane 2>/dev/null | grep -q .; then \
		for v in $$($(DKMS) status -m actplane | sed -n 's|^actplane/\([^,:]*\).*|\1|p' | sort -u); do \
			echo "dkms remove actplane/$$v --all"; \
			$(DKMS) remove actplane/$$v --all || exit 1; \
		done; \
	fi
	rm -rf $(DESTDIR)/usr/src/actplane-*
	rm -f $(DESTDIR)$(PREFIX)/bin/actplane $(DESTDIR)$(MANDIR)/man8/actplane.8 \
		$(DESTDIR)$(BASHCOMPDIR)/actplane $(DESTDIR)$(UNITDIR)/actplane.service
	@echo "uninstalled; a module that is still loaded stays until: sudo actplane down && sudo rmmod actplane"
