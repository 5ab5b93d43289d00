package events

// What the Prophesee readers (EVT 2.0, EVT 3.0, DAT) and the ATIS reader
// share: the '%' text header with its geometry, the bulk reading of
// fixed-size records, and the unfolding of a wrapping time counter.

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// readPropheseeHeader consumes the '%' header of a .raw or .dat file
// (through its "% end" line, in the files that have one) and sets rec's
// geometry when the header states it. It returns the number of bytes
// read, the offset of the body.
func readPropheseeHeader(br *bufio.Reader, rec *Recording) (int64, error) {
	lines, read, err := readHeaderLines(br, '%', "end")
	if err != nil {
		return read, err
	}
	w, h, err := headerGeometry(lines)
	if err != nil {
		return read, err
	}
	rec.Width, rec.Height = w, h
	return read, nil
}

// headerGeometry finds the sensor size in header lines (without their
// '%'), in any of the three forms recorders write:
//
//	format EVT2;height=480;width=640   (OpenEB .raw files)
//	geometry 640x480                   (older .raw and .dat files)
//	Height 100 / Width 120             (.dat files, e.g. Gen1/Gen4 datasets)
//
// Keys are matched without regard to case. The last statement of a side
// wins. It returns 0, 0 unless both sides are stated: a file without a
// geometry line (like the Gen3 and N-CARS samples) gets no guessed size —
// the plugin name does not pin it down (a gen3 plugin drives both the
// 640x480 VGA and the 480x360 ATIS sensor). A stated size that is not a
// number in 1..65536 is an error, since the header is then not what we
// think it is.
func headerGeometry(lines []string) (width, height int, err error) {
	set := func(i int, side *int, s string) error {
		v, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || v < 1 || v > 1<<16 {
			return fmt.Errorf("header line %d: sensor size %q is not a number in 1..65536", i+1, s)
		}
		*side = v
		return nil
	}
	for i, line := range lines {
		key, rest, _ := strings.Cut(line, " ")
		switch strings.ToLower(key) {
		case "format":
			// "EVT2;height=480;width=640": the first field names the
			// encoding, the others are key=value options.
			for _, opt := range strings.Split(rest, ";")[1:] {
				k, v, _ := strings.Cut(opt, "=")
				switch strings.ToLower(strings.TrimSpace(k)) {
				case "width":
					err = set(i, &width, v)
				case "height":
					err = set(i, &height, v)
				}
				if err != nil {
					return 0, 0, err
				}
			}
		case "geometry":
			ws, hs, ok := strings.Cut(strings.ToLower(strings.TrimSpace(rest)), "x")
			if !ok {
				return 0, 0, fmt.Errorf("header line %d: geometry %q is not WIDTHxHEIGHT", i+1, rest)
			}
			if err := set(i, &width, ws); err != nil {
				return 0, 0, err
			}
			if err := set(i, &height, hs); err != nil {
				return 0, 0, err
			}
		case "width":
			err = set(i, &width, rest)
		case "height":
			err = set(i, &height, rest)
		}
		if err != nil {
			return 0, 0, err
		}
	}
	if width == 0 || height == 0 {
		return 0, 0, nil
	}
	return width, height, nil
}

// chunkBytes is about how much readRecordChunks reads at once: big enough
// that the per-call cost vanishes, small enough to stay in cache.
const chunkBytes = 1 << 16

// readRecordChunks reads r to its end in chunks of whole records of size
// bytes, calling fn with each chunk and the byte offset of its first
// record (offset is where r starts in the file). A final record cut short
// is an error naming what (e.g. "word") and its offset; fn's error is
// returned as is.
func readRecordChunks(r io.Reader, offset int64, size int, what string, fn func(chunk []byte, offset int64) error) error {
	buf := make([]byte, max(chunkBytes/size, 1)*size)
	for {
		n, err := io.ReadFull(r, buf)
		whole := n - n%size
		if whole > 0 {
			if err := fn(buf[:whole], offset); err != nil {
				return err
			}
			offset += int64(whole)
		}
		switch {
		case err == nil:
		case errors.Is(err, io.EOF):
			return nil
		case errors.Is(err, io.ErrUnexpectedEOF):
			if n%size != 0 {
				return fmt.Errorf("%s at byte %d cut short: the file ends after %d of its %d bytes", what, offset, n%size, size)
			}
			return nil
		default:
			return fmt.Errorf("reading at byte %d: %w", offset, err)
		}
	}
}

// wrapCounter unfolds a time counter of bits bits that wraps to 0 into a
// 64-bit count. A wrap is a step back of more than half the counter's
// range: a counter that runs forward only gets there by wrapping, while a
// smaller step back is the file's own jitter or a reset, kept as it is
// rather than turned into hours of made-up time. (Counting a wrap on every
// decrease, as expelliarmus does, would turn a one-tick glitch into a jump
// of the whole range.)
type wrapCounter struct {
	bits   uint
	last   uint64
	offset int64 // wraps so far times 2^bits
}

// unfold returns the 64-bit value of counter reading v.
func (c *wrapCounter) unfold(v uint64) int64 {
	if v < c.last && c.last-v > 1<<(c.bits-1) {
		c.offset += 1 << c.bits
	}
	c.last = v
	return c.offset + int64(v)
}
