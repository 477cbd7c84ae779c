package submission

// The Compose file, beyond the variants: what is refused (with its
// reason), what is accepted, and what is a wrong answer rather than a
// threat. Each case edits a copy of the author's files.

import (
	"slices"
	"strings"
	"testing"
)

// composeCase edits a copy of correct-route-style (the author's layout).
type composeCase struct {
	name  string
	edit  func(t *testing.T, dir string)
	parts []string // what a reason says; none: the folder is accepted
}

// replace edits the Compose file.
func replace(old, new string) func(t *testing.T, dir string) {
	return func(t *testing.T, dir string) { edit(t, dir, "docker-compose.yml", old, new) }
}

const apiBuild = "    build: ./api\n"

func runComposeCases(t *testing.T, cases []composeCase) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := copyTree(t, "correct-route-style")
			c.edit(t, dir)
			if len(c.parts) == 0 {
				s := load(t, dir)
				for _, ch := range s.Checks {
					if !ch.OK {
						t.Errorf("en échec : %s", ch.Message)
					}
				}
				return
			}
			wantReason(t, refused(t, dir), c.parts...)
		})
	}
}

func TestComposeRefusals(t *testing.T) {
	runComposeCases(t, []composeCase{
		{"bind court relatif", replace(apiBuild, apiBuild+"    volumes:\n      - ./api:/app\n"), []string{"ligne 19", "./api sur /app"}},
		{"bind long", replace(apiBuild, apiBuild+"    volumes:\n      - type: bind\n        source: /etc\n        target: /x\n"), []string{"/etc sur /x"}},
		{"volume nommé monté sur l'hôte", replace("services:\n", "volumes:\n  donnees:\n    driver_opts:\n      type: none\n      o: bind\n      device: /\n\nservices:\n"), []string{"ligne 5", "le volume donnees demande driver_opts"}},
		{"volume externe", replace("services:\n", "volumes:\n  donnees:\n    external: true\n\nservices:\n"), []string{"ligne 5", "external: true"}},
		{"network_mode container", replace(apiBuild, apiBuild+"    network_mode: container:autre\n"), []string{"network_mode: container:autre", "hors du projet"}},
		{"ipc host", replace(apiBuild, apiBuild+"    ipc: host\n"), []string{"ipc: host"}},
		{"uts host", replace(apiBuild, apiBuild+"    uts: host\n"), []string{"uts: host"}},
		{"userns_mode host", replace(apiBuild, apiBuild+"    userns_mode: host\n"), []string{"userns_mode: host"}},
		{"cgroup host", replace(apiBuild, apiBuild+"    cgroup: host\n"), []string{"cgroup: host"}},
		{"security_opt", replace(apiBuild, apiBuild+"    security_opt:\n      - seccomp:unconfined\n"), []string{"security_opt: seccomp:unconfined"}},
		{"sysctls", replace(apiBuild, apiBuild+"    sysctls:\n      net.ipv4.ip_forward: 1\n"), []string{"sysctls"}},
		{"device_cgroup_rules", replace(apiBuild, apiBuild+"    device_cgroup_rules:\n      - 'c 1:3 mr'\n"), []string{"device_cgroup_rules"}},
		{"gpus", replace(apiBuild, apiBuild+"    gpus: all\n"), []string{"gpus"}},
		{"volumes_from", replace(apiBuild, apiBuild+"    volumes_from:\n      - db\n"), []string{"volumes_from"}},
		{"runtime", replace(apiBuild, apiBuild+"    runtime: runc\n"), []string{"runtime: runc"}},
		{"cgroup_parent", replace(apiBuild, apiBuild+"    cgroup_parent: /\n"), []string{"cgroup_parent"}},
		{"use_api_socket", replace(apiBuild, apiBuild+"    use_api_socket: true\n"), []string{"use_api_socket", "moteur Docker"}},
		{"ports d'un autre service", replace("  api:\n", "  adminer:\n    image: adminer\n    ports:\n      - \"8080:8080\"\n\n  api:\n"), []string{"le service adminer publie le port 8080:8080"}},
		{"port de db ailleurs", replace(`"5432:5432"`, `"15432:5432"`), []string{"le service db publie le port 15432:5432"}},
		{"port udp", replace(`"8000:8000"`, `"8000:8000/udp"`), []string{"8000:8000/udp"}},
		{"étiquette du harnais", replace(apiBuild, apiBuild+"    labels:\n      tpdocker.scope: autre\n"), []string{"l'étiquette tpdocker.scope", "outil de correction"}},
		{"étiquette de construction du harnais", replace(apiBuild, "    build:\n      context: ./api\n      labels:\n        tpdocker.run: x\n"), []string{"tpdocker.run"}},
		{"env_file hors du dossier", replace(apiBuild, apiBuild+"    env_file: ../secret.env\n"), []string{"env_file", "hors du dossier"}},
		{"extends hors du dossier", replace(apiBuild, apiBuild+"    extends:\n      file: ../base.yml\n      service: base\n"), []string{"extends: file: ../base.yml", "sort du dossier"}},
		{"include absolu", replace("services:\n", "include:\n  - /etc/compose.yml\n\nservices:\n"), []string{"include /etc/compose.yml", "absolu"}},
		{"include distant", replace("services:\n", "include:\n  - oci://exemple/compose\n\nservices:\n"), []string{"ressource distante"}},
		{"secret tiré d'un fichier", replace("services:\n", "secrets:\n  cle:\n    file: /etc/shadow\n\nservices:\n"), []string{"le secret cle demande file: /etc/shadow"}},
		{"config tirée de l'environnement", replace("services:\n", "configs:\n  conf:\n    environment: HOME\n\nservices:\n"), []string{"la config conf demande environment: HOME"}},
		{"contexte hors du dossier", replace(apiBuild, "    build: ../autre\n"), []string{"la construction depuis", "hors du dossier"}},
		{"contexte distant", replace(apiBuild, "    build: https://github.com/exemple/depot.git\n"), []string{"hors du dossier"}},
		{"Dockerfile hors du dossier", replace(apiBuild, "    build:\n      context: ./api\n      dockerfile: ../../Dockerfile\n"), []string{"le Dockerfile ../../Dockerfile"}},
		{"additional_contexts", replace(apiBuild, "    build:\n      context: ./api\n      additional_contexts:\n        hote: /etc\n"), []string{"additional_contexts"}},
		{"construction réseau hôte", replace(apiBuild, "    build:\n      context: ./api\n      network: host\n"), []string{"network: host"}},
		{"construction privilégiée", replace(apiBuild, "    build:\n      context: ./api\n      privileged: true\n"), []string{"une construction privileged: true"}},
		{"entitlements", replace(apiBuild, "    build:\n      context: ./api\n      entitlements:\n        - network.host\n"), []string{"entitlements: network.host"}},
		{"secrets de construction", replace(apiBuild, "    build:\n      context: ./api\n      secrets:\n        - cle\n"), []string{"des secrets de construction"}},
		{"ssh", replace(apiBuild, "    build:\n      context: ./api\n      ssh:\n        - default\n"), []string{"ssh"}},
		{"BUILDKIT_SYNTAX", replace(apiBuild, "    build:\n      context: ./api\n      args:\n        BUILDKIT_SYNTAX: exemple/frontend\n"), []string{"BUILDKIT_SYNTAX"}},
		{"argument pris à la machine", replace(apiBuild, "    build:\n      context: ./api\n      args:\n        - JETON\n"), []string{"l'argument JETON sans valeur"}},
		{"image officielle remplacée", replace(apiBuild, apiBuild+"    image: python:3.9-slim\n"), []string{"build avec image: python:3.9-slim"}},
		{"dockerfile_inline hostile", replace(apiBuild, "    build:\n      context: ./api\n      dockerfile_inline: |\n        FROM python:3.9-slim\n        RUN --network=host true\n"), []string{"dockerfile_inline, ligne 2", "--network=host"}},
		{"variable de la machine", replace("      - \"8000:8000\"\n", "      - \"8000:8000\"\n    volumes:\n      - ${HOME}:/hote\n"), []string{"ligne 22", "la variable HOME n'est pas définie"}},
		{"variable avec défaut", replace("POSTGRES_DB: demo", "POSTGRES_DB: ${BASE:-demo}"), []string{"la variable BASE"}},
		{"environnement pris à la machine", replace("      POSTGRES_DB: demo\n", "      POSTGRES_DB: demo\n      JETON:\n"), []string{"ligne 11", "JETON n'a pas de valeur"}},
		{".env de Compose", func(t *testing.T, dir string) { write(t, dir, ".env", "PW=demo\nCOMPOSE_FILE=/etc/compose.yml\n") }, []string{".env, ligne 2 : COMPOSE_FILE"}},
		{".env qui lit la machine", func(t *testing.T, dir string) { write(t, dir, ".env", "PW=${HOME}\n") }, []string{".env, ligne 1 : HOME prendrait sa valeur"}},
		{"job", replace("services:\n", "jobs:\n  tache:\n    image: alpine\n\nservices:\n"), []string{"le job tache"}},
		{"provider", replace("  api:\n", "  ia:\n    provider:\n      type: model\n\n  api:\n"), []string{"le service ia demande provider"}},
		{"hook privilégié", replace(apiBuild, apiBuild+"    post_start:\n      - command: id\n        privileged: true\n"), []string{"post_start avec privileged: true"}},
		{"deux fichiers Compose", func(t *testing.T, dir string) { write(t, dir, "compose.yaml", "services: {}\n") }, []string{"plusieurs fichiers Compose : compose.yaml, docker-compose.yml"}},
		{"réseau externe", replace("services:\n", "networks:\n  default:\n    name: bridge\n    external: true\n\nservices:\n"), []string{"le réseau default demande external: true"}},
		{"clé en double", replace("    image: postgres:16\n", "    image: postgres:16\n    ports: []\n"), []string{"docker-compose.yml, ligne 12 : Docker Compose ne lit pas ce fichier (mapping key \"ports\" already defined at line 6)"}},
		{"include du dossier privilégié", func(t *testing.T, dir string) {
			write(t, dir, "autre/compose.yml", "services:\n  outil:\n    image: alpine\n    privileged: true\n")
			edit(t, dir, "docker-compose.yml", "services:\n", "include:\n  - autre/compose.yml\n\nservices:\n")
		}, []string{"le service outil demande privileged: true"}},
		{"include du dossier et variable", func(t *testing.T, dir string) {
			write(t, dir, "autre/compose.yml", "services:\n  outil:\n    image: alpine\n    volumes:\n      - $${HOME}:/x\n    environment:\n      JETON: ${GITHUB_TOKEN}\n")
			edit(t, dir, "docker-compose.yml", "services:\n", "include:\n  - autre/compose.yml\n\nservices:\n")
		}, []string{"autre/compose.yml, ligne 7 : la variable GITHUB_TOKEN n'est pas définie"}},
		{"env_file qui lit la machine", func(t *testing.T, dir string) {
			write(t, dir, "api.env", "MODE=test\nJETON=${GITHUB_TOKEN}\n")
			edit(t, dir, "docker-compose.yml", apiBuild, apiBuild+"    env_file: api.env\n")
		}, []string{"api.env, ligne 2 : GITHUB_TOKEN prendrait sa valeur"}},
		{"label_file du harnais", func(t *testing.T, dir string) {
			write(t, dir, "etiquettes", "tpdocker.scope=autre\n")
			edit(t, dir, "docker-compose.yml", apiBuild, apiBuild+"    env_file:\n      - path: absent.env\n        required: false\n    label_file: etiquettes\n")
		}, []string{"l'étiquette tpdocker.scope"}},
		{"Compose illisible pour Compose", replace("    image: postgres:16\n", "    image: postgres:16\n    healthcheck: [oui]\n"), []string{"Docker Compose ne lit pas ce fichier"}},
	})
}

func TestComposeAccepted(t *testing.T) {
	runComposeCases(t, []composeCase{
		{name: "hôte 127.0.0.1", edit: replace(`"8000:8000"`, `"127.0.0.1:8000:8000"`)},
		{name: "ports longs", edit: replace("      - \"5432:5432\"\n", "      - target: 5432\n        published: \"5432\"\n")},
		{name: "volume nommé", edit: func(t *testing.T, dir string) {
			edit(t, dir, "docker-compose.yml", "      - \"5432:5432\"\n", "      - \"5432:5432\"\n    volumes:\n      - donnees:/var/lib/postgresql/data\n")
			write(t, dir, "docker-compose.yml", readFile(t, dir, "docker-compose.yml")+"\nvolumes:\n  donnees:\n")
		}},
		{name: "tmpfs", edit: replace(apiBuild, apiBuild+"    tmpfs:\n      - /tmp\n")},
		{name: "variables de .env", edit: func(t *testing.T, dir string) {
			write(t, dir, ".env", "# le mot de passe du TP\nPW=demo\nBASE=${PW}\n")
			edit(t, dir, "docker-compose.yml", "POSTGRES_PASSWORD: demo", "POSTGRES_PASSWORD: ${PW}")
			edit(t, dir, "docker-compose.yml", "POSTGRES_DB: demo", "POSTGRES_DB: ${BASE:?}")
		}},
		{name: "env_file du dossier", edit: func(t *testing.T, dir string) {
			write(t, dir, "db.env", "POSTGRES_USER=demo\nPOSTGRES_PASSWORD=demo\nPOSTGRES_DB=demo\n")
			edit(t, dir, "docker-compose.yml", "    environment:\n      # TODO: définir l'utilisateur, le mot de passe et le nom de la base\n      POSTGRES_USER: demo\n      POSTGRES_PASSWORD: demo\n      POSTGRES_DB: demo\n", "    env_file: db.env\n")
		}},
		{name: "extends du dossier", edit: func(t *testing.T, dir string) {
			write(t, dir, "base.yml", "services:\n  pg:\n    image: postgres:16\n")
			edit(t, dir, "docker-compose.yml", "    image: postgres:16\n", "    extends:\n      file: base.yml\n      service: pg\n")
		}},
		{name: "include du dossier", edit: func(t *testing.T, dir string) {
			write(t, dir, "autre/compose.yml", "services:\n  outil:\n    image: alpine\n")
			edit(t, dir, "docker-compose.yml", "services:\n", "include:\n  - autre/compose.yml\n\nservices:\n")
		}},
		{name: "build long et Dockerfile nommé", edit: func(t *testing.T, dir string) {
			edit(t, dir, "docker-compose.yml", apiBuild, "    build:\n      context: api\n      dockerfile: Dockerfile\n      args:\n        VERSION: \"1\"\n")
		}},
		{name: "compose.yaml", edit: func(t *testing.T, dir string) {
			edit(t, dir, "docker-compose.yml", "version: \"3.9\"\n", "")
			data := readFile(t, dir, "docker-compose.yml")
			remove(t, dir, "docker-compose.yml")
			write(t, dir, "compose.yaml", data)
		}},
		{name: "ancres YAML", edit: replace("    environment:\n      # TODO: définir l'utilisateur, le mot de passe et le nom de la base\n      POSTGRES_USER: demo\n", "    environment: &env\n      POSTGRES_USER: demo\n")},
	})
}

// Wrong answers that Compose would reject are failed checks, not refusals.
func TestComposeWrongAnswers(t *testing.T) {
	for _, c := range []struct {
		name, old, new string
		message        string
		line           int
	}{
		{"dépendance inconnue", "      - db\n", "      - database\n", "Docker Compose refuserait ce fichier", 0},
		{"api sans dépendance", "    depends_on:\n      # TODO: indiquer que l'API dépend de la base de données\n      - db\n", "", "le service api ne dépend pas de db", 15},
		{"db sans ports", "    ports:\n      # TODO: exposer le port PostgreSQL vers l'hôte\n      - \"5432:5432\"\n", "", "le service db ne publie pas 5432:5432", 4},
		{"port au hasard", `"5432:5432"`, `"5432"`, "le service db ne publie pas 5432:5432", 11},
		{"utilisateur absent", "      POSTGRES_USER: demo\n", "", "le service db ne définit pas POSTGRES_USER (attendu : POSTGRES_USER: demo)", 6},
		{"postgres alpine", "image: postgres:16", "image: postgres:16-alpine", "image: postgres:16-alpine, le TP demande postgres:16", 5},
		{"api sans build", "    build: ./api\n", "    image: simple-api\n", "le service api n'a pas de build (attendu : build: ./api)", 15},
		{"contexte sans Dockerfile", "    build: ./api\n", "    build: .\n", "le service api se construit depuis ., qui ne contient pas Dockerfile", 17},
		{"pas de service db", "  db:\n", "  base:\n", "aucun service db", 3},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := copyTree(t, "correct-route-style")
			edit(t, dir, "docker-compose.yml", c.old, c.new)
			if c.old == "  db:\n" { // a db by another name publishes nothing
				edit(t, dir, "docker-compose.yml", "    ports:\n      # TODO: exposer le port PostgreSQL vers l'hôte\n      - \"5432:5432\"\n", "")
			}
			s := load(t, dir)
			if !slices.ContainsFunc(s.Checks, func(ch Check) bool {
				return !ch.OK && ch.Question == "5.b" && strings.Contains(ch.Message, c.message) && ch.Line == c.line && ch.File == "docker-compose.yml"
			}) {
				t.Errorf("aucune vérification en échec %q, ligne %d : %+v", c.message, c.line, s.Checks)
			}
			if f := failed(s); len(f) != 1 {
				t.Errorf("questions en échec : %q", f)
			}
		})
	}
}

// Names of the student's own, where the lab lets Compose name things: not
// refused, a failed 5.b that says which line to remove.
func TestComposeOwnNames(t *testing.T) {
	for _, c := range []struct {
		name string
		edit func(t *testing.T, dir string)
		want string
	}{
		{"image nommée pour le build", replace(apiBuild, apiBuild+"    image: simple-api\n"), "image: simple-api à côté de build"},
		{"container_name", replace(apiBuild, apiBuild+"    container_name: mon-api\n"), "container_name: mon-api"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := copyTree(t, "correct-route-style")
			c.edit(t, dir)
			var failed []string
			for _, ch := range load(t, dir).Checks {
				if !ch.OK {
					failed = append(failed, ch.Question+" "+ch.Message)
				}
			}
			if len(failed) != 1 || !strings.HasPrefix(failed[0], "5.b ") || !strings.Contains(failed[0], c.want) {
				t.Errorf("vérifications en échec : %q, attendu une seule, de 5.b, avec %q", failed, c.want)
			}
		})
	}
}
