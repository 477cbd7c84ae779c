package buildlabel

// The scope label added to builds on the wire (the gRPC Solve request),
// against recorded streams.

import (
	"bytes"
	"encoding/binary"
	"io"
	"testing"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// clientStream writes what a gRPC client sends on an h2c connection: the
// preface, SETTINGS, then for each call a HEADERS frame and its message in
// DATA frames of chunk bytes (the last one ending the stream).
func clientStream(t *testing.T, chunk int, calls ...call) []byte {
	t.Helper()
	var buf bytes.Buffer
	buf.WriteString(clientPreface)
	fr := http2.NewFramer(&buf, nil)
	fr.WriteSettings()
	var hb bytes.Buffer
	enc := hpack.NewEncoder(&hb)
	for i, c := range calls {
		stream := uint32(2*i + 1)
		hb.Reset()
		for _, f := range []hpack.HeaderField{
			{Name: ":method", Value: "POST"}, {Name: ":scheme", Value: "http"},
			{Name: ":path", Value: c.path}, {Name: ":authority", Value: "docker"},
			{Name: "content-type", Value: "application/grpc"},
		} {
			enc.WriteField(f)
		}
		if err := fr.WriteHeaders(http2.HeadersFrameParam{StreamID: stream, BlockFragment: hb.Bytes(), EndHeaders: true}); err != nil {
			t.Fatal(err)
		}
		data := binary.BigEndian.AppendUint32([]byte{0}, uint32(len(c.msg)))
		data = append(data, c.msg...)
		for len(data) > 0 {
			n := min(chunk, len(data))
			if err := fr.WriteData(stream, n == len(data), data[:n]); err != nil {
				t.Fatal(err)
			}
			data = data[n:]
		}
	}
	return buf.Bytes()
}

type call struct {
	path string
	msg  []byte
}

// messages reads back each stream's DATA as gRPC messages.
func messages(t *testing.T, raw []byte) map[uint32][]byte {
	t.Helper()
	if !bytes.HasPrefix(raw, []byte(clientPreface)) {
		t.Fatal("preface lost")
	}
	fr := http2.NewFramer(nil, bytes.NewReader(raw[len(clientPreface):]))
	fr.ReadMetaHeaders = hpack.NewDecoder(4096, nil)
	data := map[uint32][]byte{}
	ended := map[uint32]bool{}
	for {
		f, err := fr.ReadFrame()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if d, ok := f.(*http2.DataFrame); ok {
			if len(d.Data()) > maxFrame {
				t.Errorf("DATA frame of %d bytes", len(d.Data()))
			}
			data[d.StreamID] = append(data[d.StreamID], d.Data()...)
			ended[d.StreamID] = ended[d.StreamID] || d.StreamEnded()
		}
	}
	out := map[uint32][]byte{}
	for s, d := range data {
		if !ended[s] {
			t.Errorf("stream %d lost its END_STREAM", s)
		}
		size := binary.BigEndian.Uint32(d[1:5])
		if int(size) != len(d)-5 {
			t.Errorf("stream %d: gRPC length %d for %d bytes", s, size, len(d)-5)
		}
		out[s] = d[5:]
	}
	return out
}

func str(field uint64, s string) []byte { return appendString(nil, field, s) }

func TestCopyAddsAttributesToBuilds(t *testing.T) {
	attrs := map[string]string{"label:tpdocker.scope": "run.ex3", "no-cache": ""}
	// A Control/Solve naming the dockerfile frontend, with an attribute the
	// client set itself; a gateway Solve with a big definition spread over
	// several frames; a gateway Solve without frontend; another method.
	control := append(str(6, "dockerfile.v0"), appendEntry(7, "label:auteur", "moi")...)
	bigDef := append(str(1, string(bytes.Repeat([]byte("x"), 40000))), str(2, "dockerfile.v0")...)
	bare := str(1, "definition")
	other := str(1, "dockerfile.v0")
	raw := clientStream(t, 1000,
		call{"/moby.buildkit.v1.Control/Solve", control},
		call{"/moby.buildkit.v1.frontend.LLBBridge/Solve", bigDef},
		call{"/moby.buildkit.v1.frontend.LLBBridge/Solve", bare},
		call{"/moby.buildkit.v1.Control/Status", other},
	)
	var out bytes.Buffer
	n, err := Copy(&out, bytes.NewReader(raw), attrs)
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("%d requests extended, want 2", n)
	}
	msgs := messages(t, out.Bytes())
	want := [][2]string{{"label:auteur", "moi"}, {"label:tpdocker.scope", "run.ex3"}, {"no-cache", ""}}
	if got, _ := Entries(msgs[1], 7); !equal(got, want) {
		t.Errorf("Control/Solve attributes = %q, want %q", got, want)
	}
	if got, _ := Entries(msgs[3], 3); !equal(got, want[1:]) {
		t.Errorf("LLBBridge/Solve attributes = %q, want %q", got, want[1:])
	}
	if !bytes.Equal(msgs[5], bare) || !bytes.Equal(msgs[7], other) {
		t.Error("a request without frontend, or of another method, was changed")
	}
}

func TestCopyLeavesOtherStreamsAlone(t *testing.T) {
	raw := clientStream(t, 7, call{"/moby.buildkit.v1.Control/ListWorkers", str(1, "x")})
	var out bytes.Buffer
	if _, err := Copy(&out, bytes.NewReader(raw), map[string]string{"a": "b"}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Bytes(), raw) {
		t.Error("the stream was changed")
	}
	plain := []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\nand the rest")
	out.Reset()
	if _, err := Copy(&out, bytes.NewReader(plain), map[string]string{"a": "b"}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Bytes(), plain) {
		t.Error("a stream that is not HTTP/2 was changed")
	}
}

func appendEntry(field uint64, k, v string) []byte {
	e := append(str(1, k), str(2, v)...)
	b := binary.AppendUvarint(nil, field<<3|2)
	b = binary.AppendUvarint(b, uint64(len(e)))
	return append(b, e...)
}

func equal(a, b [][2]string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
