#ifndef GATEHOUSE_CZEROMQ_SHIM_H
#define GATEHOUSE_CZEROMQ_SHIM_H
#include <zmq.h>
#endif
