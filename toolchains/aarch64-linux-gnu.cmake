# Cross-compile dyad for 64-bit ARM Linux with Debian's cross compiler
# (g++-aarch64-linux-gnu) and run the tests under qemu-user:
#   cmake -S . -B build-aarch64 -DCMAKE_TOOLCHAIN_FILE=toolchains/aarch64-linux-gnu.cmake
#   cmake --build build-aarch64 -j2 && ctest --test-dir build-aarch64
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

set(DYAD_CROSS_TRIPLE aarch64-linux-gnu)
set(CMAKE_C_COMPILER ${DYAD_CROSS_TRIPLE}-gcc)
set(CMAKE_CXX_COMPILER ${DYAD_CROSS_TRIPLE}-g++)
# The matching binutils (the no-float check disassembles with this objdump).
set(CMAKE_OBJDUMP /usr/bin/${DYAD_CROSS_TRIPLE}-objdump CACHE FILEPATH "objdump for the target")

# Search only the cross sysroot for libraries and headers, never the host's
# /usr/lib or /usr/include; programs (flatc, python3) come from the host.
set(CMAKE_FIND_ROOT_PATH /usr/${DYAD_CROSS_TRIPLE})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# qemu 7.2's `max` CPU has dotprod and i8mm, so every NEON path can run.
# -L points the loader at the cross libc; drop it if libc6:arm64 is installed
# through multiarch (mixing the two makes pthread_create hang, see PLATFORM_NOTES).
# Another CPU model: -DCMAKE_CROSSCOMPILING_EMULATOR="qemu-aarch64;-cpu;NAME;-L;/usr/aarch64-linux-gnu".
if(NOT CMAKE_CROSSCOMPILING_EMULATOR)
  if(EXISTS /usr/lib/${DYAD_CROSS_TRIPLE}/libc.so.6)  # multiarch libc: qemu finds it itself
    set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64;-cpu;max)
  else()
    set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64;-cpu;max;-L;/usr/${DYAD_CROSS_TRIPLE})
  endif()
endif()
