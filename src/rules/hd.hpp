// CP_HD marks the functions that both engines call: the replay (host C++)
// and the Monte Carlo path model, which nvcc also compiles for the device.
// g++ knows no __host__/__device__, so the marker is empty there.
#pragma once

#if defined(__CUDACC__)
#define CP_HD __host__ __device__
#else
#define CP_HD
#endif
