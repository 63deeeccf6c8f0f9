# Cross-compile dyad for 32-bit ARMv7 Linux (hard-float ABI, NEON) with
# Debian's cross compiler (g++-arm-linux-gnueabihf) and run tests under qemu-user:
#   cmake -S . -B build-armhf -DCMAKE_TOOLCHAIN_FILE=toolchains/arm-linux-gnueabihf.cmake
#   cmake --build build-armhf -j2 && ctest --test-dir build-armhf
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR armv7l)

set(DYAD_CROSS_TRIPLE arm-linux-gnueabihf)
set(CMAKE_C_COMPILER ${DYAD_CROSS_TRIPLE}-gcc)
set(CMAKE_CXX_COMPILER ${DYAD_CROSS_TRIPLE}-g++)
set(CMAKE_C_FLAGS_INIT "-march=armv7-a -mfpu=neon -mfloat-abi=hard")
set(CMAKE_CXX_FLAGS_INIT "-march=armv7-a -mfpu=neon -mfloat-abi=hard")
set(CMAKE_OBJDUMP /usr/bin/${DYAD_CROSS_TRIPLE}-objdump CACHE FILEPATH "objdump for the target")

# Search only the cross sysroot for libraries and headers; programs from the host.
set(CMAKE_FIND_ROOT_PATH /usr/${DYAD_CROSS_TRIPLE})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# -L: the cross libc's loader (drop it if libc6:armhf is installed through multiarch).
# Another CPU model: -DCMAKE_CROSSCOMPILING_EMULATOR="qemu-arm;-cpu;NAME;-L;/usr/arm-linux-gnueabihf".
if(NOT CMAKE_CROSSCOMPILING_EMULATOR)
  if(EXISTS /usr/lib/${DYAD_CROSS_TRIPLE}/libc.so.6)  # multiarch libc: qemu finds it itself
    set(CMAKE_CROSSCOMPILING_EMULATOR qemu-arm;-cpu;max)
  else()
    set(CMAKE_CROSSCOMPILING_EMULATOR qemu-arm;-cpu;max;-L;/usr/${DYAD_CROSS_TRIPLE})
  endif()
endif()
