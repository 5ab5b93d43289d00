// Package events reads event-camera recordings: the address-events of a
// dynamic vision sensor (DVS), each a pixel (x, y), a polarity (ON when the
// brightness went up, OFF when it went down) and a timestamp in
// microseconds.
//
// The formats read are those of the recorders people use:
//
//   - AEDAT 2.0 (jAER), AEDAT 3.1 (cAER/libcaer) and AEDAT 4.0 (DV, LZ4 or
//     uncompressed) from iniVation cameras;
//   - Prophesee EVT 2.0 and EVT 3.0 .raw files and DAT (Event2D) .dat files;
//   - the ATIS .bin files of N-MNIST and N-Caltech101.
//
// Read and ReadFile tell the format from the file's first bytes (and, for
// the headerless .bin, from its name) and return a Recording: the events in
// file order, with timestamps as the file stores them (no re-basing to 0;
// counter wraps and AEDAT 3.1's overflow are unfolded into a 64-bit time),
// and the sensor size where the file states it. Pixel coordinates are the
// raw fields of each format: no axis is flipped.
//
// A recording that is malformed — a bad header, a record cut short, a
// packet whose size runs past the end — is an error naming the format and
// the byte offset; nothing is silently dropped except what a format itself
// marks as not an event (AEDAT 3.1 events without their valid bit, special,
// trigger and IMU records). A recording is decoded whole into memory, 16
// bytes an event (a million events is 16 MB). Recording.Map turns it into
// the spikes of an input population through a Retina (crop, pooling,
// polarity planes) and a Timing (timestep, time window); the network
// file's events source (docs/network-format.md) is built on it.
package events
