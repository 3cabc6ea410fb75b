#ifndef CAREHUB_CMOSQUITTO_SHIM_H
#define CAREHUB_CMOSQUITTO_SHIM_H
#include <mosquitto.h>
/* The client's loop wake-up (LoopWakeUp.swift); Glibc's Swift module does not export it. */
#include <sys/eventfd.h>
#endif
