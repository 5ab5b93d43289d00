package image

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Write encodes img (see Encode) and writes it to w.
func Write(w io.Writer, img *Image) error {
	data, err := Encode(img)
	if err != nil {
		return err
	}
	if _, err := w.Write(data); err != nil {
		return fmt.Errorf("image: write: %w", err)
	}
	return nil
}

// Read reads one image from r and decodes it (see Decode). It reads exactly
// the bytes of the image — header, the payload length the header announces,
// checksum — and leaves anything after them unread. It buffers no more than
// r actually delivers, whatever the header announces.
func Read(r io.Reader) (*Image, error) {
	var header [HeaderSize]byte
	n, err := io.ReadFull(r, header[:])
	if err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			// Decode says what is wrong with a short file.
			return Decode(header[:n])
		}
		return nil, fmt.Errorf("image: read: %w", err)
	}
	if _, err := unwrap(header[:]); !errors.Is(err, ErrTruncated) {
		return nil, err // bad magic or version: no need to read on
	}
	length := binary.LittleEndian.Uint64(header[8:])
	want := int64(ChecksumSize)
	if length < uint64(1<<62) {
		want += int64(length)
	} else {
		want = 1 << 62 // no such file: read what there is, Decode reports truncation
	}
	// io.ReadAll grows its buffer as data arrives, so a corrupted length
	// costs nothing beyond the bytes r really has.
	rest, err := io.ReadAll(io.LimitReader(r, want))
	if err != nil {
		return nil, fmt.Errorf("image: read: %w", err)
	}
	data := make([]byte, 0, HeaderSize+len(rest))
	data = append(append(data, header[:]...), rest...)
	return Decode(data)
}

// ReadFile reads and decodes the image file at path. Errors name the path.
func ReadFile(path string) (*Image, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("image: %w", err)
	}
	img, err := Decode(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return img, nil
}

// WriteFile encodes img and writes it to path atomically: the bytes go to a
// temporary file in the same directory, which is synced and then renamed over
// path, so a crash or error leaves either the old file or the complete new
// one, never half an image. The file's mode is 0644.
func WriteFile(path string, img *Image) (err error) {
	data, err := Encode(img)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("image: %w", err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			_ = f.Close()      // may already be closed; the first error is the one to report
			_ = os.Remove(tmp) // best effort: the error above says what went wrong
		}
	}()
	if _, err = f.Write(data); err != nil {
		return fmt.Errorf("image: write %s: %w", tmp, err)
	}
	if err = f.Chmod(0o644); err != nil {
		return fmt.Errorf("image: %w", err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("image: sync %s: %w", tmp, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("image: close %s: %w", tmp, err)
	}
	if err = os.Rename(tmp, path); err != nil {
		return fmt.Errorf("image: %w", err)
	}
	return nil
}
