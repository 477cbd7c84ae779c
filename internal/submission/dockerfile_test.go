package submission

// The Dockerfile, beyond the variants: what BuildKit must not run, the
// forms of FROM python:3.9-slim that are accepted, and the CMD's port.

import (
	"strings"
	"testing"
)

// withDockerfile is a copy of correct-route-style whose api/Dockerfile is
// content.
func withDockerfile(t *testing.T, content string) string {
	dir := copyTree(t, "correct-route-style")
	write(t, dir, "api/Dockerfile", content)
	return dir
}

const cmdLine = `CMD ["uvicorn", "app:app", "--host", "0.0.0.0", "--port", "8000"]`

func TestDockerfileRefusals(t *testing.T) {
	for _, c := range []struct {
		name, dockerfile string
		parts            []string
	}{
		{"syntax collé", "#syntax=exemple/frontend\nFROM python:3.9-slim\n" + cmdLine + "\n", []string{"api/Dockerfile, ligne 1", "syntax=exemple/frontend"}},
		{"secret", "FROM python:3.9-slim\nRUN --mount=type=secret,id=cle cat /run/secrets/cle\n" + cmdLine + "\n", []string{"ligne 2", "RUN --mount=type=secret"}},
		{"ssh", "FROM python:3.9-slim\nRUN --mount=type=ssh true\n" + cmdLine + "\n", []string{"ligne 2", "RUN --mount=type=ssh"}},
		{"cache", "FROM python:3.9-slim\nRUN --mount=type=cache,target=/root/.cache/pip pip install fastapi uvicorn\n" + cmdLine + "\n", []string{"ligne 2", "RUN --mount=type=cache"}},
		{"bind d'une image", "FROM python:3.9-slim\nRUN --mount=type=bind,from=alpine,target=/x ls /x\n" + cmdLine + "\n", []string{"ligne 2", "from=alpine"}},
		{"mount calculé", "FROM python:3.9-slim\nARG T=secret\nRUN --mount=type=$T,id=cle true\n" + cmdLine + "\n", []string{"ligne 3", "variable"}},
		{"réseau hôte", "FROM python:3.9-slim\nRUN --network=host pip install fastapi uvicorn\n" + cmdLine + "\n", []string{"ligne 2", "RUN --network=host"}},
		{"insecure", "FROM python:3.9-slim\nRUN --security=insecure true\n" + cmdLine + "\n", []string{"ligne 2", "RUN --security=insecure"}},
		{"instruction inconnue", "FROM python:3.9-slim\nCOPYY app.py .\n" + cmdLine + "\n", []string{"ligne 2", "BuildKit ne lit pas ce Dockerfile"}},
		{"vide", "# rien\n", []string{"api/Dockerfile", "BuildKit ne lit pas ce Dockerfile"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			wantReason(t, refused(t, withDockerfile(t, c.dockerfile)), c.parts...)
		})
	}
}

func TestDockerfileFrom(t *testing.T) {
	for _, c := range []struct {
		name, dockerfile string
		ok               bool
		message          string
	}{
		{"minuscules, digest, AS", "from docker.io/library/python:3.9-slim@sha256:" + strings.Repeat("a", 64) + " AS base\nCOPY app.py .\ncmd uvicorn app:app --host 0.0.0.0\n", true, "api/Dockerfile, ligne 1 : FROM docker.io/library/python:3.9-slim@sha256:"},
		{"ARG", "ARG PY=3.9-slim\nFROM python:${PY}\n" + cmdLine + "\n", true, "FROM python:${PY} (soit python:3.9-slim)"},
		{"étapes", "FROM python:3.9-slim AS base\nRUN pip install fastapi uvicorn\nFROM base AS final\nCOPY app.py .\nRUN --mount=type=bind,from=base,target=/b ls /b\n" + cmdLine + "\n", true, "api/Dockerfile, ligne 1 : FROM python:3.9-slim"},
		{"étape finale autre", "FROM python:3.9-slim AS base\nFROM python:3.11-slim\n" + cmdLine + "\n", false, "api/Dockerfile, ligne 2 : FROM python:3.11-slim, le TP demande python:3.9-slim"},
		{"autre registre", "FROM ghcr.io/exemple/python:3.9-slim\n" + cmdLine + "\n", false, "le TP demande python:3.9-slim"},
		{"sans CMD", "FROM python:3.9-slim\nCOPY app.py .\n", false, "api/Dockerfile : ni CMD ni ENTRYPOINT"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := load(t, withDockerfile(t, c.dockerfile))
			var msgs []string
			found := false
			for _, ch := range s.Checks {
				if ch.Question == "3.b" {
					msgs = append(msgs, ch.Message)
					found = found || (ch.OK == c.ok && strings.Contains(ch.Message, c.message))
				}
			}
			if !found {
				t.Errorf("3.b : %q, attendu %q (OK %v)", msgs, c.message, c.ok)
			}
			if f := failed(s); (len(f) == 0) != c.ok {
				t.Errorf("questions en échec : %q", f)
			}
		})
	}
}

func TestCmdPort(t *testing.T) {
	for _, c := range []struct{ name, cmd, hint string }{
		{"forme shell", "CMD uvicorn app:app --host 0.0.0.0 --port 9000", "api/Dockerfile, ligne 2 : CMD uvicorn app:app --host 0.0.0.0 --port 9000 ; uvicorn y écoute sur le port 9000"},
		{"port=", `CMD ["python", "-m", "uvicorn", "app:app", "--port=8001"]`, "uvicorn y écoute sur le port 8001"},
		{"ENTRYPOINT et CMD", "ENTRYPOINT [\"uvicorn\"]\nCMD [\"app:app\", \"--port\", \"8080\"]", "api/Dockerfile, ligne 3 : CMD"},
		{"port par défaut", `CMD ["uvicorn", "app:app", "--host", "0.0.0.0"]`, `api/Dockerfile, ligne 2 : CMD ["uvicorn", "app:app", "--host", "0.0.0.0"] ; docker-compose.yml, ligne 20`},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := load(t, withDockerfile(t, "FROM python:3.9-slim\n"+c.cmd+"\n"))
			if h := s.Hints()["4.a"]; !strings.Contains(h, c.hint) {
				t.Errorf("indice de 4.a : %q, attendu %q", h, c.hint)
			}
		})
	}
}

func TestRoutes(t *testing.T) {
	for _, c := range []struct {
		name, route string
		ok          bool
		line        int
		message     string
	}{
		{"sur plusieurs lignes", "@app.get(\n    \"/health\",\n)\ndef health():\n    return {\"status\": \"ok\"}\n", true, 1, "la route GET /health est déclarée"},
		{"routeur", "@router.api_route(path='/health')\ndef health():\n    return {}\n", true, 1, ""},
		{"add_api_route", "def health():\n    return {}\n\napp.add_api_route(\"/health\", health)\n", true, 4, ""},
		{"POST", "@app.post(\"/health\")\ndef health():\n    return {}\n", false, 1, "la route /health est déclarée en POST, le TP demande GET"},
		{"commentée", "# @app.get(\"/health\")\ndef health():\n    return {}\n", false, 0, "ne déclare aucune route /health"},
		{"barre finale", "@app.get(\"/health/\")\ndef health():\n    return {}\n", false, 0, "ne déclare aucune route /health"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := copyTree(t, "correct-route-style")
			write(t, dir, "api/app.py", "from fastapi import FastAPI\napp = FastAPI()\n"+c.route)
			s := load(t, dir)
			for _, ch := range s.Checks {
				if ch.Question != "3.a" {
					continue
				}
				line := 0
				if c.line > 0 {
					line = c.line + 2
				}
				if ch.OK != c.ok || ch.Line != line || !strings.Contains(ch.Message, c.message) {
					t.Errorf("%+v : attendu OK %v, ligne %d, %q", ch, c.ok, line, c.message)
				}
			}
		})
	}
}
