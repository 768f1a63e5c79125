/* The GEMM seam in double precision. */
#include "test_gemm.c"
