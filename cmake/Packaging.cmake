# Installation extras and the Debian package (CPack DEB), included from the top CMakeLists.
#
#   cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr
#   cmake --build build-release && (cd build-release && cpack -G DEB)
#
# `hc` and `hc-devbroker` get their install() rules in app/ and tools/. Here: the example
# config in <sysconfdir>/hc (/etc/hc with prefix /usr) and systemd units for the two roles.

set(HC_CONFIG_DIR "${CMAKE_INSTALL_FULL_SYSCONFDIR}/hc")
set(HC_CONFIG_FILE "${HC_CONFIG_DIR}/config.yaml")
set(HC_BINARY "${CMAKE_INSTALL_FULL_BINDIR}/hc")
# Debian's own units live in /lib/systemd/system (the same directory as /usr/lib/... on
# merged-/usr systems); other prefixes use <prefix>/lib/systemd/system, which systemd reads
# for /usr/local as well.
if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  set(HC_SYSTEMD_UNIT_DIR "/lib/systemd/system")
else()
  set(HC_SYSTEMD_UNIT_DIR "${CMAKE_INSTALL_PREFIX}/lib/systemd/system")
endif()

foreach(unit hc-producer.service hc-consumer.service)
  configure_file("${PROJECT_SOURCE_DIR}/packaging/${unit}.in" "${PROJECT_BINARY_DIR}/packaging/${unit}"
                 @ONLY)
  install(FILES "${PROJECT_BINARY_DIR}/packaging/${unit}" DESTINATION "${HC_SYSTEMD_UNIT_DIR}")
endforeach()
install(FILES "${PROJECT_SOURCE_DIR}/packaging/config.yaml" DESTINATION "${HC_CONFIG_DIR}")
install(FILES "${PROJECT_SOURCE_DIR}/README.md" "${PROJECT_SOURCE_DIR}/remote-services-config.yaml"
        DESTINATION "${CMAKE_INSTALL_DOCDIR}")

# --- CPack: one .deb with everything above -------------------------------------------------
set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGE_NAME "hc")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_CONTACT "hc developers <dev@hc.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "website health checks through Kafka into PostgreSQL")
# CPack puts the summary first and indents every line of this; an empty line ends a paragraph.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "hc checks websites on a schedule (libcurl, optional RE2 regex on the body) and
publishes one JSON message per check to Kafka (hc --producer); a consumer-group
member (hc --consumer) upserts the messages into PostgreSQL tables, committing
offsets only after the rows: at-least-once delivery without duplicate rows.

Includes systemd units hc-producer.service and hc-consumer.service (config in
/etc/hc/config.yaml, secrets in /etc/hc/hc.env) and hc-devbroker, a throwaway
Kafka-protocol broker (librdkafka mock cluster) for local tests.")
set(CPACK_DEBIAN_PACKAGE_SECTION "net")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
set(CPACK_DEBIAN_FILE_NAME "DEB-DEFAULT")  # hc_<version>_<arch>.deb
# Runtime library dependencies (librdkafka1, libpqxx-6.4, libcurl4, ...) computed from the
# binaries by dpkg-shlibdeps, so they always match what was linked.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "postgresql-15, kcat")
set(CPACK_PACKAGING_INSTALL_PREFIX "${CMAKE_INSTALL_PREFIX}")
set(CPACK_STRIP_FILES ON)

# dpkg keeps local edits of conffiles across upgrades.
file(WRITE "${PROJECT_BINARY_DIR}/packaging/conffiles" "${HC_CONFIG_FILE}\n")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA "${PROJECT_BINARY_DIR}/packaging/conffiles")

if(NOT CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  message(STATUS "hc packaging: CMAKE_INSTALL_PREFIX is ${CMAKE_INSTALL_PREFIX}; "
                 "configure with -DCMAKE_INSTALL_PREFIX=/usr for a .deb with /usr/bin/hc and /etc/hc")
endif()

include(CPack)
