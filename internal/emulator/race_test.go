//go:build race

package emulator

// raceEnabled is true under go test -race, whose instrumentation allocates.
const raceEnabled = true
