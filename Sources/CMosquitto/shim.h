#ifndef CAREHUB_CMOSQUITTO_SHIM_H
#define CAREHUB_CMOSQUITTO_SHIM_H
#include <mosquitto.h>
#endif
