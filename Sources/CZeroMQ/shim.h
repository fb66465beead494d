#ifndef HFT_CZEROMQ_SHIM_H
#define HFT_CZEROMQ_SHIM_H
#include <zmq.h>
#endif
