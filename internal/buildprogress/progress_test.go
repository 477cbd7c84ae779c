package buildprogress

// BuildKit's progress output read as a reader's terminal shows it, on
// recorded outputs.

import (
	"os"
	"strings"
	"testing"
)

func read(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile("testdata/build.txt")
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimRight(string(data), "\n")
}

// shuffled prints the same build as another run could: the internal steps
// in another order and numbering, a step resumed after another one, a
// sub-step printed before its size is known, a step printed DONE before its
// last sub-step.
const shuffled = `#0 building with "default" instance using docker driver

#1 [internal] load .dockerignore
#1 transferring context:
#1 transferring context: 2B done
#1 DONE 0.0s

#2 [internal] load build definition from Dockerfile
#2 transferring dockerfile: 408B done

#3 [internal] load metadata for docker.io/library/python:3.9-slim

#2 [internal] load build definition from Dockerfile
#2 DONE 0.0s

#3 [internal] load metadata for docker.io/library/python:3.9-slim
#3 DONE 0.0s

#4 [internal] load build context
#4 DONE 0.0s
#4 transferring context: 243B done
#4 DONE 0.0s

#5 [1/4] FROM docker.io/library/python:3.9-slim@sha256:36ce202a62138744109d8bc7fc8585ff210578ac28e67d4a9d1009d5116602e2
#5 resolve docker.io/library/python:3.9-slim@sha256:36ce202a62138744109d8bc7fc8585ff210578ac28e67d4a9d1009d5116602e2 done
#5 DONE 0.0s

#6 [2/4] WORKDIR /app
#6 DONE 0.2s

#7 [3/4] COPY app.py .
#7 DONE 0.0s

#8 [4/4] RUN pip install fastapi uvicorn
#8 1.169 Collecting fastapi
#8 1.170 Collecting uvicorn
#8 DONE 1.3s

#9 exporting to image
#9 exporting layers
#9 exporting layers 0.3s done
#9 naming to docker.io/library/simple-api:latest done
#9 unpacking to docker.io/library/simple-api:latest 0.1s done
#9 DONE 0.4s`

func TestCanonical(t *testing.T) {
	want := read(t)
	if got := Canonical(want); got != want {
		t.Errorf("a build in canonical order was changed:\n%s", got)
	}
	if got := Canonical(shuffled); got != want {
		t.Errorf("Canonical(shuffled) =\n%s\nwant\n%s", got, want)
	}
	text := "Network tpdocker_default  Created\nno progress here"
	if got := Canonical(text); got != text {
		t.Errorf("text without progress was changed: %q", got)
	}
	around := "before\n" + want + "\n\nafter"
	if got := Canonical(around); got != around {
		t.Errorf("lines around the progress were not kept:\n%s", got)
	}
}

func TestTerminal(t *testing.T) {
	got, ok := Terminal(shuffled, 80)
	if !ok {
		t.Fatal("no progress found")
	}
	want := `[+] Building 1.9s (9/9) FINISHED                                  docker:default
 => [internal] load build definition from Dockerfile                        0.0s
 => => transferring dockerfile: 408B                                        0.0s
 => [internal] load metadata for docker.io/library/python:3.9-slim          0.0s
 => [internal] load .dockerignore                                           0.0s
 => => transferring context: 2B                                             0.0s
 => [1/4] FROM docker.io/library/python:3.9-slim@sha256:36ce202a62138744... 0.0s
 => => resolve docker.io/library/python:3.9-slim@sha256:36ce202a62138744... 0.0s
 => [internal] load build context                                           0.0s
 => => transferring context: 243B                                           0.0s
 => [2/4] WORKDIR /app                                                      0.2s
 => [3/4] COPY app.py .                                                     0.0s
 => [4/4] RUN pip install fastapi uvicorn                                   1.3s
 => exporting to image                                                      0.4s
 => => exporting layers                                                     0.0s
 => => naming to docker.io/library/simple-api:latest                        0.0s
 => => unpacking to docker.io/library/simple-api:latest                     0.0s`
	if got != want {
		t.Errorf("Terminal =\n%s\nwant\n%s", got, want)
	}
}
