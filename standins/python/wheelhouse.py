#!/usr/bin/env python3
"""Builds the python:3.9-slim stand-in's wheelhouse from Debian packages.

    wheelhouse.py ROOT DEBS_DIR PYTHON_VERSION LIST_OUT

Each .deb of DEBS_DIR (a Debian python3-* package of pure Python modules)
becomes a real wheel, NAME-VERSION-py3-none-any.whl, in ROOT's WHEELHOUSE:
the files the package installs under /usr/lib/python3/dist-packages, with a
NAME-VERSION.dist-info built from its egg-info (METADATA with Requires-Dist,
WHEEL, entry_points.txt, top_level.txt, RECORD with sha256 hashes). The
image's /etc/pip.conf points pip at WHEELHOUSE with no index, so that
`pip install fastapi uvicorn` resolves and installs them as it would from a
package index.

Each wheel is also linked into pip's wheel cache under the key pip computes
for its link in WHEELHOUSE (for the interpreter PYTHON_VERSION, e.g. 3.9):
pip then takes it as already downloaded and prints "Collecting NAME" and
"Using cached NAME-VERSION-py3-none-any.whl", as for a package from an index,
instead of "Processing /usr/local/share/wheels/NAME-VERSION-py3-none-any.whl".
Without that cache (another user, --no-cache-dir), it installs the same wheels
straight from WHEELHOUSE.

LIST_OUT receives one "name version" line per wheel.
"""

import base64
import configparser
import email.parser
import hashlib
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import zipfile

WHEELHOUSE = "/usr/local/share/wheels"
PIP_CACHE = "/root/.cache/pip"
DIST_PACKAGES = "usr/lib/python3/dist-packages"

# Upstream's unconditional requirements for the versions Debian ships, which
# Debian's egg-info leaves out (its Depends field carries them instead).
# Their version ranges are upstream's, widened where Debian ships a newer
# dependency than upstream pinned (fastapi 0.63.0 wanted starlette 0.13.6).
EXTRA_REQUIRES = {
    "fastapi": ["starlette>=0.13.6", "pydantic>=1.0.0,<2.0.0"],
    "uvicorn": ["click==7.*", "h11>=0.8"],
}


def fail(message):
    # User-facing, in French like the rest of the stand-in builder.
    sys.exit("wheelhouse.py : " + message)


def zip_time():
    # Timestamps of the files in the wheels (zip cannot go before 1980).
    epoch = max(int(os.environ.get("SOURCE_DATE_EPOCH", "315532800")), 315532800)
    return time.gmtime(epoch)[:6]


def record_hash(data):
    digest = hashlib.sha256(data).digest()
    return "sha256=" + base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def requires_from_egg_info(text):
    """Requires-Dist lines and extras from an egg-info requires.txt."""
    requires, extras = [], []
    extra, marker = None, None
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
            extra, _, marker = section.partition(":")
            extra = extra.strip() or None
            marker = marker.strip() or None
            if extra and extra not in extras:
                extras.append(extra)
            continue
        markers = []
        if marker:
            markers.append("(%s)" % marker if extra else marker)
        if extra:
            markers.append('extra == "%s"' % extra)
        requires.append(line + ("; " + " and ".join(markers) if markers else ""))
    return requires, extras


def read_egg_info(path):
    """(PKG-INFO headers, {file name: text}) of an egg-info file or folder."""
    files = {}
    if os.path.isdir(path):
        for name in os.listdir(path):
            with open(os.path.join(path, name), encoding="utf-8") as f:
                files[name] = f.read()
        pkg_info = files.get("PKG-INFO", "")
    else:
        with open(path, encoding="utf-8") as f:
            pkg_info = f.read()
    return email.parser.Parser().parsestr(pkg_info, headersonly=True), files


def entry_points_text(text):
    """entry_points.txt, normalized (Debian's is indented)."""
    parser = configparser.ConfigParser(delimiters=("=",), interpolation=None)
    parser.optionxform = str
    parser.read_string("\n".join(line.strip() for line in text.splitlines()))
    out = io.StringIO()
    for section in parser.sections():
        out.write("[%s]\n" % section)
        for key, value in parser.items(section):
            out.write("%s = %s\n" % (key, value))
        out.write("\n")
    return out.getvalue()


def build_wheel(deb, outdir):
    """Makes the wheel of one .deb in outdir; returns (name, version, file)."""
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["dpkg-deb", "-x", deb, tmp], check=True)
        site = os.path.join(tmp, DIST_PACKAGES)
        if not os.path.isdir(site):
            fail("%s : aucun module Python dans %s" % (os.path.basename(deb), DIST_PACKAGES))
        egg_infos = [n for n in os.listdir(site) if n.endswith(".egg-info")]
        if len(egg_infos) != 1:
            fail("%s : un seul egg-info attendu, trouvé %s" % (os.path.basename(deb), egg_infos))
        headers, egg_files = read_egg_info(os.path.join(site, egg_infos[0]))
        name, version = headers["Name"], headers["Version"]
        if not name or not version:
            fail("%s : nom ou version absents de l'egg-info" % os.path.basename(deb))

        requires, extras = requires_from_egg_info(egg_files.get("requires.txt", ""))
        requires = EXTRA_REQUIRES.get(name.lower(), []) + requires

        dist = re.sub(r"[-_.]+", "_", name)
        dist_info = "%s-%s.dist-info" % (dist, version)
        metadata = ["Metadata-Version: 2.1", "Name: " + name, "Version: " + version]
        for header in ("Summary", "Home-page", "License", "Requires-Python"):
            value = headers.get(header)
            if value and value != "UNKNOWN":
                metadata.append("%s: %s" % (header, value))
        metadata += ["Provides-Extra: " + extra for extra in extras]
        metadata += ["Requires-Dist: " + req for req in requires]
        meta = {
            "METADATA": "\n".join(metadata) + "\n",
            "WHEEL": "Wheel-Version: 1.0\nGenerator: tpdocker-standin\n"
            "Root-Is-Purelib: true\nTag: py3-none-any\n",
        }
        if "entry_points.txt" in egg_files:
            meta["entry_points.txt"] = entry_points_text(egg_files["entry_points.txt"])

        # The package's files: everything but the egg-info and byte code.
        entries = []
        for top, dirs, files in os.walk(site):
            dirs[:] = [d for d in dirs if d != "__pycache__" and not d.endswith(".egg-info")]
            for f in files:
                full = os.path.join(top, f)
                rel = os.path.relpath(full, site)
                if f.endswith((".pyc", ".pyo")) or rel.endswith(".egg-info"):
                    continue
                if os.path.islink(full):
                    fail("%s : lien symbolique non pris en charge : %s" % (os.path.basename(deb), rel))
                with open(full, "rb") as fh:
                    entries.append((rel, fh.read(), os.stat(full).st_mode & 0o111))
        entries.sort()
        # Debian's top_level.txt lists subpackages too: keep the top names.
        top_level = sorted({re.sub(r"\.py$", "", rel.split("/")[0]) for rel, _, _ in entries})
        meta["top_level.txt"] = "".join(t + "\n" for t in top_level)
        for key in sorted(meta):
            entries.append((dist_info + "/" + key, meta[key].encode("utf-8"), 0))

        record = ["%s,%s,%d" % (rel, record_hash(data), len(data)) for rel, data, _ in entries]
        record.append(dist_info + "/RECORD,,")
        entries.append((dist_info + "/RECORD", ("\n".join(record) + "\n").encode("utf-8"), 0))

        wheel = "%s-%s-py3-none-any.whl" % (dist, version)
        stamp = zip_time()
        with zipfile.ZipFile(os.path.join(outdir, wheel), "w", zipfile.ZIP_DEFLATED) as zf:
            for rel, data, executable in entries:
                info = zipfile.ZipInfo(rel, stamp)
                info.external_attr = (0o100755 if executable else 0o100644) << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, data)
        return name, version, wheel


def cache_dir_for(url, python_version):
    """pip's wheel cache folder for a link (pip._internal.cache, pip 20.3)."""
    key = {
        "url": url,
        "interpreter_name": "cp",
        "interpreter_version": python_version.replace(".", ""),
    }
    text = json.dumps(key, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    hashed = hashlib.sha224(text.encode("ascii")).hexdigest()
    return os.path.join("wheels", hashed[:2], hashed[2:4], hashed[4:6], hashed[6:])


def main():
    if len(sys.argv) != 5:
        fail("usage : wheelhouse.py RACINE DOSSIER_DEBS VERSION_PYTHON LISTE")
    root, debs_dir, python_version, list_out = sys.argv[1:]
    outdir = os.path.join(root, WHEELHOUSE.lstrip("/"))
    cache = os.path.join(root, PIP_CACHE.lstrip("/"))
    os.makedirs(outdir, exist_ok=True)
    debs = sorted(f for f in os.listdir(debs_dir) if f.endswith(".deb"))
    if not debs:
        fail("aucun paquet .deb dans " + debs_dir)
    built = []
    for deb in debs:
        name, version, wheel = build_wheel(os.path.join(debs_dir, deb), outdir)
        built.append((name, version))
        url = "file://" + WHEELHOUSE + "/" + wheel
        target = os.path.join(cache, cache_dir_for(url, python_version))
        os.makedirs(target, exist_ok=True)
        os.link(os.path.join(outdir, wheel), os.path.join(target, wheel))
    with open(list_out, "w", encoding="utf-8") as f:
        for name, version in built:
            f.write("%s %s\n" % (name, version))


if __name__ == "__main__":
    main()
