// A core program that breaks the build's rules (check-app.test): floating
// point and a heap.
#include <cstdlib>
extern "C" int scale(int x, float f) { return int(x * f); }
extern "C" void *grow(unsigned n) { return std::malloc(n); }
