//go:build race

package compat_test

// raceBuild is true under `go test -race`: the redisk binary is then built
// with -race as well, and data races it reports fail the test that ran it.
const raceBuild = true
