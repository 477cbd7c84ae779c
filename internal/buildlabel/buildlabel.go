// Package buildlabel adds frontend attributes to the BuildKit builds that a
// Docker client sends through the engine's /grpc endpoint.
//
// With BuildKit, "docker build" and compose builds do not send a /build
// request whose query a proxy could rewrite: the client upgrades a
// connection to HTTP/2 without TLS (h2c) on /grpc and calls BuildKit's
// gRPC services over it. The build's options travel as frontend attributes
// inside the protobuf request: a map field of
// moby.buildkit.v1.Control/Solve (SolveRequest.FrontendAttrs, field 7) and,
// when the client runs the frontend through the gateway as buildx does, of
// moby.buildkit.v1.frontend.LLBBridge/Solve (SolveRequest.FrontendOpt,
// field 3). The Dockerfile frontend reads "label:KEY" attributes as image
// labels and "no-cache" as --no-cache.
//
// Copy forwards the client's side of such a connection frame by frame and
// appends the given attributes to each of those requests that names a
// frontend. A protobuf map is a repeated field of {1: key, 2: value}
// entries, and the last entry for a key wins, so the request is extended
// without being decoded. Everything else passes through byte for byte;
// header blocks are only read (with a private HPACK decoder that follows
// the client's encoder), never re-encoded.
package buildlabel

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sort"

	"golang.org/x/net/http2/hpack"
)

// The two gRPC methods that carry a build's frontend attributes, with the
// field numbers of their frontend name and attribute map.
var methods = map[string]struct{ frontend, attrs uint64 }{
	"/moby.buildkit.v1.Control/Solve":            {frontend: 6, attrs: 7},
	"/moby.buildkit.v1.frontend.LLBBridge/Solve": {frontend: 2, attrs: 3},
}

const clientPreface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"

// HTTP/2 frame types and flags used here (RFC 9113, section 6).
const (
	frameData         = 0x0
	frameHeaders      = 0x1
	frameContinuation = 0x9

	flagEndStream  = 0x1
	flagEndHeaders = 0x4
	flagPadded     = 0x8
	flagPriority   = 0x20

	// Every peer accepts frames of this size (SETTINGS_MAX_FRAME_SIZE's
	// smallest allowed value).
	maxFrame = 16384
)

// Copy reads an h2c client stream from src and writes it to dst with attrs
// added to the build requests, until src ends. It returns the number of
// requests it extended, and the first error of reading, writing or
// understanding the stream.
func Copy(dst io.Writer, src io.Reader, attrs map[string]string) (int, error) {
	c := &copier{
		dst:     dst,
		entries: encodeEntries(attrs),
		dec:     hpack.NewDecoder(4096, nil),
		solves:  map[uint32]*pending{},
	}
	// The client's encoder may grow its table up to what the engine allows;
	// the decoder only follows, so it accepts any size the client announces.
	c.dec.SetAllowedMaxDynamicTableSize(1 << 24)
	preface := make([]byte, len(clientPreface))
	if _, err := io.ReadFull(src, preface); err != nil {
		return 0, eofIsNil(err)
	}
	if _, err := dst.Write(preface); err != nil {
		return 0, err
	}
	if string(preface) != clientPreface {
		// Not HTTP/2: nothing to understand, forward as it is.
		_, err := io.Copy(dst, src)
		return 0, err
	}
	head := make([]byte, 9)
	for {
		if _, err := io.ReadFull(src, head); err != nil {
			return c.count, eofIsNil(err)
		}
		length := int(head[0])<<16 | int(head[1])<<8 | int(head[2])
		payload := make([]byte, length)
		if _, err := io.ReadFull(src, payload); err != nil {
			return c.count, err
		}
		if err := c.frame(head, payload); err != nil {
			return c.count, err
		}
	}
}

func eofIsNil(err error) error {
	if errors.Is(err, io.EOF) {
		return nil
	}
	return err
}

type copier struct {
	dst     io.Writer
	entries []byte // the encoded map entries to append
	dec     *hpack.Decoder
	count   int

	block       []byte // header block being gathered across CONTINUATION frames
	blockStream uint32
	solves      map[uint32]*pending // streams that call a build method
}

// pending gathers a build request's gRPC message until it is whole.
type pending struct {
	frontend, attrs uint64
	buf             []byte
	done            bool
}

func (c *copier) frame(head, payload []byte) error {
	typ, flags := head[3], head[4]
	stream := binary.BigEndian.Uint32(head[5:9]) & 0x7fffffff
	switch typ {
	case frameHeaders:
		frag, err := headerFragment(flags, payload)
		if err != nil {
			return err
		}
		c.block, c.blockStream = append(c.block[:0], frag...), stream
		if flags&flagEndHeaders != 0 {
			if err := c.headers(); err != nil {
				return err
			}
		}
	case frameContinuation:
		c.block = append(c.block, payload...)
		if flags&flagEndHeaders != 0 {
			if err := c.headers(); err != nil {
				return err
			}
		}
	case frameData:
		if p := c.solves[stream]; p != nil && !p.done {
			return c.data(stream, flags, payload, p)
		}
	}
	return c.write(head, payload)
}

// headerFragment strips a HEADERS frame's padding and priority fields.
func headerFragment(flags byte, p []byte) ([]byte, error) {
	pad := 0
	if flags&flagPadded != 0 {
		if len(p) < 1 {
			return nil, errors.New("buildlabel: HEADERS frame too short")
		}
		pad, p = int(p[0]), p[1:]
	}
	if flags&flagPriority != 0 {
		if len(p) < 5 {
			return nil, errors.New("buildlabel: HEADERS frame too short")
		}
		p = p[5:]
	}
	if pad > len(p) {
		return nil, errors.New("buildlabel: HEADERS padding too long")
	}
	return p[:len(p)-pad], nil
}

// headers decodes a complete header block, which keeps the decoder's table
// in step with the client's encoder, and notes the streams that call a
// build method.
func (c *copier) headers() error {
	fields, err := c.dec.DecodeFull(c.block)
	if err != nil {
		return fmt.Errorf("buildlabel: header block: %w", err)
	}
	for _, f := range fields {
		if f.Name == ":path" {
			if m, ok := methods[f.Value]; ok {
				c.solves[c.blockStream] = &pending{frontend: m.frontend, attrs: m.attrs}
			}
		}
	}
	return nil
}

// data holds a build request's DATA frames until its first gRPC message is
// whole, then sends it extended, in frames of its own.
func (c *copier) data(stream uint32, flags byte, payload []byte, p *pending) error {
	if flags&flagPadded != 0 {
		if len(payload) < 1 || int(payload[0]) > len(payload)-1 {
			return errors.New("buildlabel: DATA padding too long")
		}
		payload = payload[1 : len(payload)-int(payload[0])]
	}
	p.buf = append(p.buf, payload...)
	end := flags & flagEndStream
	if len(p.buf) < 5 {
		if end != 0 {
			p.done = true
			return c.send(stream, p.buf, end)
		}
		return nil
	}
	size := int(binary.BigEndian.Uint32(p.buf[1:5]))
	if len(p.buf) < 5+size && end == 0 {
		return nil
	}
	p.done = true
	out := p.buf
	if p.buf[0] == 0 && len(p.buf) >= 5+size {
		msg := p.buf[5 : 5+size]
		if hasFrontend(msg, p.frontend) {
			msg = append(append([]byte{}, msg...), c.attrEntries(p.attrs)...)
			c.count++
		}
		out = binary.BigEndian.AppendUint32([]byte{0}, uint32(len(msg)))
		out = append(append(out, msg...), p.buf[5+size:]...)
	}
	return c.send(stream, out, end)
}

// send writes data as DATA frames of at most maxFrame bytes; the last one
// carries the END_STREAM flag when the client's did.
func (c *copier) send(stream uint32, data []byte, end byte) error {
	for first := true; first || len(data) > 0; first = false {
		n := min(len(data), maxFrame)
		var flags byte
		if n == len(data) {
			flags = end
		}
		if err := c.write(frameHead(n, frameData, flags, stream), data[:n]); err != nil {
			return err
		}
		data = data[n:]
	}
	return nil
}

func frameHead(length int, typ, flags byte, stream uint32) []byte {
	h := []byte{byte(length >> 16), byte(length >> 8), byte(length), typ, flags}
	return binary.BigEndian.AppendUint32(h, stream)
}

func (c *copier) write(head, payload []byte) error {
	if _, err := c.dst.Write(append(append([]byte{}, head...), payload...)); err != nil {
		return err
	}
	return nil
}

// attrEntries gives the encoded entries with the map's field number.
func (c *copier) attrEntries(field uint64) []byte {
	var out []byte
	for e := c.entries; len(e) > 0; {
		// c.entries holds length-prefixed entry bodies.
		n, k := binary.Uvarint(e)
		out = binary.AppendUvarint(out, field<<3|2)
		out = append(out, e[:k+int(n)]...)
		e = e[k+int(n):]
	}
	return out
}

// encodeEntries encodes each attribute as a length-prefixed map entry body
// {1: key, 2: value}, in a stable order.
func encodeEntries(attrs map[string]string) []byte {
	keys := make([]string, 0, len(attrs))
	for k := range attrs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []byte
	for _, k := range keys {
		var e []byte
		e = appendString(e, 1, k)
		e = appendString(e, 2, attrs[k])
		out = binary.AppendUvarint(out, uint64(len(e)))
		out = append(out, e...)
	}
	return out
}

func appendString(b []byte, field uint64, s string) []byte {
	b = binary.AppendUvarint(b, field<<3|2)
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// hasFrontend tells whether a protobuf message has a non-empty string in
// the given field: a request that runs a frontend, not a bare definition.
func hasFrontend(msg []byte, field uint64) bool {
	for len(msg) > 0 {
		tag, n := binary.Uvarint(msg)
		if n <= 0 {
			return false
		}
		msg = msg[n:]
		switch tag & 7 {
		case 0: // varint
			_, n = binary.Uvarint(msg)
			if n <= 0 {
				return false
			}
			msg = msg[n:]
		case 1: // 64-bit
			if len(msg) < 8 {
				return false
			}
			msg = msg[8:]
		case 5: // 32-bit
			if len(msg) < 4 {
				return false
			}
			msg = msg[4:]
		case 2: // length-delimited
			l, n := binary.Uvarint(msg)
			if n <= 0 || uint64(len(msg)-n) < l {
				return false
			}
			if tag>>3 == field && l > 0 {
				return true
			}
			msg = msg[n+int(l):]
		default:
			return false
		}
	}
	return false
}

// Entries is the inverse of the encoding, for tests and diagnostics: the
// string map entries of a protobuf message's field, in order.
func Entries(msg []byte, field uint64) ([][2]string, error) {
	var out [][2]string
	for len(msg) > 0 {
		tag, n := binary.Uvarint(msg)
		if n <= 0 {
			return nil, errors.New("buildlabel: bad tag")
		}
		msg = msg[n:]
		switch tag & 7 {
		case 0:
			_, n = binary.Uvarint(msg)
			if n <= 0 {
				return nil, errors.New("buildlabel: bad varint")
			}
			msg = msg[n:]
		case 1:
			msg = msg[min(8, len(msg)):]
		case 5:
			msg = msg[min(4, len(msg)):]
		case 2:
			l, n := binary.Uvarint(msg)
			if n <= 0 || uint64(len(msg)-n) < l {
				return nil, errors.New("buildlabel: bad length")
			}
			body := msg[n : n+int(l)]
			msg = msg[n+int(l):]
			if tag>>3 != field {
				continue
			}
			var kv [2]string
			for len(body) > 0 {
				t, n := binary.Uvarint(body)
				l, m := binary.Uvarint(body[n:])
				if n <= 0 || m <= 0 || uint64(len(body)-n-m) < l {
					return nil, errors.New("buildlabel: bad entry")
				}
				if f := t >> 3; f == 1 || f == 2 {
					kv[f-1] = string(body[n+m : n+m+int(l)])
				}
				body = body[n+m+int(l):]
			}
			out = append(out, kv)
		default:
			return nil, errors.New("buildlabel: bad wire type")
		}
	}
	return out, nil
}
