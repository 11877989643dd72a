package samplemedia

import (
	"bytes"
	"encoding/binary"
	"math"
	"testing"

	"golang.org/x/image/vp8"

	"glc/modules/course"
)

// element is one parsed EBML element.
type element struct {
	id   uint32
	data []byte
}

func readVint(b []byte, keepMarker bool) (uint64, int, bool) {
	if len(b) == 0 || b[0] == 0 {
		return 0, 0, false
	}
	l := 1
	for m := byte(0x80); b[0]&m == 0; m >>= 1 {
		l++
	}
	if len(b) < l {
		return 0, 0, false
	}
	v := uint64(b[0])
	if !keepMarker {
		v &= uint64(0xFF >> l)
	}
	for i := 1; i < l; i++ {
		v = v<<8 | uint64(b[i])
	}
	return v, l, true
}

func parse(t *testing.T, b []byte) []element {
	t.Helper()
	var out []element
	for len(b) > 0 {
		elID, n, ok := readVint(b, true)
		if !ok {
			t.Fatalf("bad element id at % x", b[:min(8, len(b))])
		}
		sz, m, ok := readVint(b[n:], false)
		if !ok || uint64(len(b)-n-m) < sz {
			t.Fatalf("element %x: bad size", elID)
		}
		out = append(out, element{uint32(elID), b[n+m : n+m+int(sz)]})
		b = b[n+m+int(sz):]
	}
	return out
}

func find(t *testing.T, es []element, elID uint32) element {
	t.Helper()
	for _, e := range es {
		if e.id == elID {
			return e
		}
	}
	t.Fatalf("no element %x", elID)
	return element{}
}

func TestWebMIsAValidVP8Video(t *testing.T) {
	const w, h, frames, fps = 64, 36, 10, 2
	file := WebM(w, h, frames, fps)
	if ct, class := course.Sniff(file); ct != "video/webm" || class != "video" {
		t.Fatalf("the upload sniffer sees %q %q", ct, class)
	}
	top := parse(t, file)
	if len(top) != 2 {
		t.Fatalf("%d top-level elements, want EBML header and segment", len(top))
	}
	if doc := find(t, parse(t, top[0].data), 0x4282); string(doc.data) != "webm" {
		t.Fatalf("DocType %q", doc.data)
	}
	seg := parse(t, top[1].data)
	dur := find(t, parse(t, find(t, seg, 0x1549A966).data), 0x4489)
	if got := math.Float64frombits(binary.BigEndian.Uint64(dur.data)); got != 5000 {
		t.Errorf("duration %v ms, want 5000", got)
	}
	entry := parse(t, find(t, parse(t, find(t, seg, 0x1654AE6B).data), 0xAE).data)
	if codec := find(t, entry, 0x86); string(codec.data) != "V_VP8" {
		t.Errorf("codec %q", codec.data)
	}
	var blocks int
	for _, e := range seg {
		if e.id != 0x1F43B675 {
			continue
		}
		for _, c := range parse(t, e.data) {
			if c.id != 0xA3 {
				continue
			}
			blocks++
			if c.data[0] != 0x81 || c.data[3]&0x80 == 0 {
				t.Fatalf("block %d: header % x", blocks, c.data[:4])
			}
			want := int16((blocks - 1) * 1000 / fps)
			if got := int16(binary.BigEndian.Uint16(c.data[1:3])); got != want {
				t.Errorf("block %d: timecode %d, want %d", blocks, got, want)
			}
			frame := c.data[4:]
			d := vp8.NewDecoder()
			d.Init(bytes.NewReader(frame), len(frame))
			fh, err := d.DecodeFrameHeader()
			if err != nil {
				t.Fatalf("frame header: %v", err)
			}
			if !fh.KeyFrame || fh.Width != w || fh.Height != h {
				t.Fatalf("frame header %+v", fh)
			}
			img, err := d.DecodeFrame()
			if err != nil {
				t.Fatalf("decode frame: %v", err)
			}
			for _, y := range []int{0, h / 2, h - 1} {
				for _, x := range []int{0, w / 2, w - 1} {
					if c := img.YCbCrAt(x, y); c.Y < 120 || c.Y > 136 || c.Cb < 120 || c.Cb > 136 {
						t.Fatalf("pixel (%d,%d) = %+v, want mid-grey", x, y, c)
					}
				}
			}
		}
	}
	if blocks != frames {
		t.Errorf("%d frames, want %d", blocks, frames)
	}
}

func TestWebMLongVideoSplitsClusters(t *testing.T) {
	seg := parse(t, parse(t, WebM(16, 16, 70, 2))[1].data)
	n := 0
	for _, e := range seg {
		if e.id == 0x1F43B675 {
			n++
		}
	}
	if n != 2 {
		t.Errorf("%d clusters for 35 s, want 2", n)
	}
}
