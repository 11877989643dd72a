// Package samplemedia makes small, valid media files in pure Go for demo content and tests,
// where no encoder (ffmpeg) can be assumed: a WebM video that browsers play.
package samplemedia

import (
	"bytes"
	"encoding/binary"
	"math"
)

// WebM returns a WebM file (Matroska with one VP8 video track) of frames key frames of
// width x height pixels at fps frames per second, every frame a plain mid-grey picture.
//
// Each VP8 frame is a key frame whose compressed partitions are all zero bytes. A VP8 boolean
// decoder fed zero bytes reads every bit as 0 whatever its probability, and with every flag 0
// the frame header asks for no segmentation, no loop filter, quantiser index 0 and no
// probability updates; every macroblock is then B_PRED with B_DC_PRED sub-blocks and DC_PRED
// chroma, and every block's first token is end-of-block. The picture is the predictors' grey.
// The zero partitions are sized for the worst case (8 bits per decoded symbol), so no decoder
// reads past their end.
func WebM(width, height, frames, fps int) []byte {
	if width < 1 || width > 16383 || height < 1 || height > 16383 || frames < 1 || fps < 1 {
		panic("samplemedia: bad WebM size")
	}
	frame := vp8KeyFrame(width, height)
	frameNS := int64(1e9) / int64(fps)
	durationMS := float64(frames) * 1000 / float64(fps)

	header := el(0x1A45DFA3,
		uintEl(0x4286, 1), // EBMLVersion
		uintEl(0x42F7, 1), // EBMLReadVersion
		uintEl(0x42F2, 4), // EBMLMaxIDLength
		uintEl(0x42F3, 8), // EBMLMaxSizeLength
		strEl(0x4282, "webm"),
		uintEl(0x4287, 2), // DocTypeVersion
		uintEl(0x4285, 2), // DocTypeReadVersion
	)
	info := el(0x1549A966,
		uintEl(0x2AD7B1, 1000000), // TimecodeScale: milliseconds
		strEl(0x4D80, "glc samplemedia"),
		strEl(0x5741, "glc samplemedia"),
		floatEl(0x4489, durationMS),
	)
	tracks := el(0x1654AE6B, el(0xAE,
		uintEl(0xD7, 1),   // TrackNumber
		uintEl(0x73C5, 1), // TrackUID
		uintEl(0x83, 1),   // TrackType: video
		uintEl(0x9C, 0),   // FlagLacing
		strEl(0x86, "V_VP8"),
		uintEl(0x23E383, uint64(frameNS)), // DefaultDuration
		el(0xE0, uintEl(0xB0, uint64(width)), uintEl(0xBA, uint64(height))),
	))
	// One cluster per 30 s keeps block timecodes within int16 milliseconds.
	var clusters [][]byte
	perCluster := 30 * fps
	for start := 0; start < frames; start += perCluster {
		clusterMS := int64(start) * 1000 / int64(fps)
		parts := [][]byte{uintEl(0xE7, uint64(clusterMS))}
		for i := start; i < min(frames, start+perCluster); i++ {
			rel := int64(i)*1000/int64(fps) - clusterMS
			block := make([]byte, 0, 4+len(frame))
			block = append(block, 0x81, byte(rel>>8), byte(rel), 0x80) // track 1, timecode, key frame
			block = append(block, frame...)
			parts = append(parts, raw(0xA3, block))
		}
		clusters = append(clusters, el(0x1F43B675, parts...))
	}
	segment := el(0x18538067, append([][]byte{info, tracks}, clusters...)...)
	return append(header, segment...)
}

// vp8KeyFrame is one VP8 key frame (RFC 6386, section 9) whose partitions are zero bytes.
func vp8KeyFrame(width, height int) []byte {
	mbs := ((width + 15) / 16) * ((height + 15) / 16)
	// Header flags and 1056 token probability flags, then 18 mode symbols per macroblock;
	// 25 end-of-block tokens per macroblock in the token partition. 8 bits per symbol at most.
	first := 1100 + 18*mbs
	tokens := 25*mbs + 16
	var b bytes.Buffer
	tag := uint32(0) | 0<<1 | 1<<4 | uint32(first)<<5 // key frame, version 0, shown
	b.Write([]byte{byte(tag), byte(tag >> 8), byte(tag >> 16), 0x9D, 0x01, 0x2A})
	var wh [4]byte
	binary.LittleEndian.PutUint16(wh[0:], uint16(width))
	binary.LittleEndian.PutUint16(wh[2:], uint16(height))
	b.Write(wh[:])
	b.Write(make([]byte, first+tokens))
	return b.Bytes()
}

// EBML encoding.

func id(v uint32) []byte {
	switch {
	case v > 0xFFFFFF:
		return []byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}
	case v > 0xFFFF:
		return []byte{byte(v >> 16), byte(v >> 8), byte(v)}
	case v > 0xFF:
		return []byte{byte(v >> 8), byte(v)}
	}
	return []byte{byte(v)}
}

// size is an EBML variable-length size in the fewest bytes (all-ones values are reserved).
func size(n uint64) []byte {
	for l := 1; l <= 8; l++ {
		if n < 1<<(7*l)-1 {
			out := make([]byte, l)
			v := n | 1<<(7*l)
			for i := l - 1; i >= 0; i-- {
				out[i] = byte(v)
				v >>= 8
			}
			return out
		}
	}
	panic("samplemedia: element too large")
}

func raw(elID uint32, data []byte) []byte {
	out := append(id(elID), size(uint64(len(data)))...)
	return append(out, data...)
}

func el(elID uint32, children ...[]byte) []byte { return raw(elID, bytes.Join(children, nil)) }

func uintEl(elID uint32, v uint64) []byte {
	var b []byte
	for v > 0 {
		b = append([]byte{byte(v)}, b...)
		v >>= 8
	}
	if b == nil {
		b = []byte{0}
	}
	return raw(elID, b)
}

func strEl(elID uint32, s string) []byte { return raw(elID, []byte(s)) }

func floatEl(elID uint32, f float64) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], math.Float64bits(f))
	return raw(elID, b[:])
}
