@ 33,000 bytes of code: more than the 32,512 of ITCM below the APLX loader.
        .section .vectors, "ax"
        .global _start
_start:
        .space 33000
