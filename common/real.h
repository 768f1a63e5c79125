/* real.h - the scalar type of the neural-network code.  float in the tools;
 * double when built with -DTN_REAL_DOUBLE, which the gradient-check unit
 * tests use so finite differences are accurate to 1e-6. */
#ifndef TN_REAL_H
#define TN_REAL_H

#ifdef TN_REAL_DOUBLE
typedef double real;
#define TN_REAL_NAME "double"
#else
typedef float real;
#define TN_REAL_NAME "float"
#endif

#endif
