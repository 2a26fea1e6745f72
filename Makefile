# egov — two set-up commands: `make demo` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Debian packages: CJK fonts for PDFs (Noto CJK; HanaMin for CJK Extensions B–F; AR PL UKai as 楷体),
# poppler-utils to read PDFs back in tests, chromium for the browser tests, gettext for translations,
# prometheus (promtool), the production layout of deploy/local (tests/test_failover_drill.py):
# patroni, etcd-server, pgbouncer, haproxy, nginx-light, postgresql-15, and pgbackrest (egov ops backup,
# tests/test_restore_drill.py).
DEB_PACKAGES := fonts-noto-cjk fonts-hanazono fonts-arphic-ukai poppler-utils libnss3-tools chromium gettext prometheus patroni etcd-server pgbouncer haproxy nginx-light postgresql-15 pgbackrest wrk
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/egov

# Translations: the .po catalogues are the source; their .mo files are compiled here, not committed.
PO_FILES := $(shell find src/egov -name django.po)
MO_FILES := $(PO_FILES:.po=.mo)

.PHONY: demo test install system-packages lint messages clean design-assets bench bench-quick bench-issue-18

$(BIN)/egov: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

system-packages:
	@missing=""; for p in $(DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
		echo "installing Debian packages:$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	else \
		echo "egov: please install these Debian packages (as root): apt-get install$$missing"; \
	fi

%.mo: %.po
	msgfmt --check-format -o $@ $<

# 仿宋 for GB/T 9704 prints: FandolFang, taken out of Debian's texlive-lang-chinese without installing
# that package (it pulls in TeX Live); without Debian's mirror, a warning and Noto Serif CJK stands in.
FANGSONG := $(VENV)/share/egov/fonts/FandolFang-Regular.otf
FANDOL_IN_DEB := usr/share/texlive/texmf-dist/fonts/opentype/public/fandol/FandolFang-Regular.otf

$(FANGSONG): | $(BIN)/egov
	@tmp=$$(mktemp -d); \
	if (cd $$tmp && (apt-get download -qq texlive-lang-chinese 2>/dev/null || \
	    { [ "$$(id -u)" = 0 ] && apt-get update -qq && apt-get download -qq texlive-lang-chinese; }) \
	    && dpkg-deb -x texlive-lang-chinese_*.deb x) >/dev/null 2>&1; then \
		mkdir -p $(@D) && cp $$tmp/x/$(FANDOL_IN_DEB) $@ \
		&& cp $$tmp/x/usr/share/doc/texlive-lang-chinese/copyright $(@D)/FandolFang.copyright; \
	else \
		echo "egov: FandolFang could not be fetched from Debian; 仿宋 falls back to Noto Serif CJK SC"; \
	fi; rm -rf $$tmp

install: system-packages $(BIN)/egov $(MO_FILES) $(FANGSONG)

PORT ?= 8000

demo: install
	$(BIN)/egov demo --port $(PORT)

test: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache
	EGOV_ENV=test DATABASE_URL=$(TEST_DATABASE_URL) $(BIN)/pytest
	$(BIN)/egov smoke

# Every benchmark in bench/ (those following bench/benchlib.py's convention), one after the other;
# rewrites the generated figures of bench/README.md. bench-quick: short smoke runs of each.
bench: install
	$(BIN)/python bench/run.py

bench-quick: install
	$(BIN)/python bench/run.py --quick

bench-issue-18: install
	$(BIN)/python bench/run.py --issue 18

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

messages: install
	cd src/egov && ../../$(BIN)/egov makemessages -l zh_Hans --no-obsolete --no-location
	$(MAKE) $(MO_FILES)

# The design system's compiled CSS and JS (src/egov/static/egov/govuk/) and the axe-core of the
# accessibility tests (tests/vendor/axe-core/) are committed; rebuild them by hand after changing
# design/sass/ or the versions in design/package.json (needs npm; docs/design-system.md).
design-assets:
	design/build.sh

clean:
	rm -rf $(VENV) var
