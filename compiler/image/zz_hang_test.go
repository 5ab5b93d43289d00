package image
import ("testing";"fmt";"time";"math/rand";"bytes";"encoding/binary";"io";"os")
func TestHang(t *testing.T){
  valid := mustEncode(t)
  payload := valid[HeaderSize : len(valid)-ChecksumSize]
  r := rand.New(rand.NewSource(1))
  for it := 0; it < 200000; it++ {
    p := bytes.Clone(payload)
    for k := 0; k < 1+r.Intn(4); k++ {
      switch r.Intn(3) {
      case 0: p[r.Intn(len(p))] = byte(r.Intn(256))
      case 1: i := r.Intn(len(p)); p[i] ^= 1 << r.Intn(8)
      case 2: i := r.Intn(len(p)-4); binary.LittleEndian.PutUint32(p[i:], uint32(r.Int63()))
      }
    }
    d := append(bytes.Clone(valid[:HeaderSize]), p...)
    binary.LittleEndian.PutUint64(d[8:], uint64(len(p)))
    d = reseal(d)
    done := make(chan struct{})
    go func(){ select { case <-done: case <-time.After(2*time.Second): os.WriteFile("/tmp/hang.bin", d, 0o644); fmt.Println("HANG at", it); os.Exit(3) } }()
    img, err := Decode(d)
    if err == nil { again, _ := Encode(img); Decode(again); Disassemble(io.Discard, img) }
    close(done)
  }
}
