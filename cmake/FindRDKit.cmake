# FindRDKit
# ---------
# Debian's librdkit-dev installs headers under /usr/include/rdkit and libraries /usr/lib/libRDKit*.so
# but no CMake package configuration. This module finds them and defines the imported target
#   RDKit::RDKit  (the libraries cell2structure needs: parsing, fingerprints, descriptors, ...)
# and RDKit_FOUND, RDKit_INCLUDE_DIRS, RDKit_LIBRARIES, RDKit_DATA_DIR.
# Hints: RDKit_ROOT or the RDBASE environment variable.

set(_rdkit_hints ${RDKit_ROOT} $ENV{RDKit_ROOT} $ENV{RDBASE})

find_path(RDKit_INCLUDE_DIR NAMES GraphMol/RDKitBase.h
  HINTS ${_rdkit_hints} PATH_SUFFIXES include/rdkit rdkit Code)

set(_rdkit_components
  Descriptors Fingerprints SmilesParse Subgraphs SubstructMatch PartialCharges FileParsers
  FragCatalog Catalogs MolStandardize ChemTransforms MolTransforms EigenSolvers GraphMol DataStructs
  RDGeometryLib RDGeneral)
set(RDKit_LIBRARIES)
set(_rdkit_missing)
foreach(_c IN LISTS _rdkit_components)
  find_library(RDKit_${_c}_LIBRARY NAMES RDKit${_c} HINTS ${_rdkit_hints} PATH_SUFFIXES lib)
  if(RDKit_${_c}_LIBRARY)
    list(APPEND RDKit_LIBRARIES ${RDKit_${_c}_LIBRARY})
  else()
    list(APPEND _rdkit_missing ${_c})
  endif()
  mark_as_advanced(RDKit_${_c}_LIBRARY)
endforeach()

# Debian's versions.h keeps unsubstituted @RDKit_Year@ placeholders, so no version is read from it;
# RDKit::rdkitVersion gives it at run time.
find_path(RDKit_DATA_DIR NAMES FragmentDescriptors.csv HINTS ${_rdkit_hints}
  PATHS /usr/share/RDKit PATH_SUFFIXES Data share/RDKit/Data)

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(RDKit
  REQUIRED_VARS RDKit_INCLUDE_DIR RDKit_GraphMol_LIBRARY RDKit_Descriptors_LIBRARY
                RDKit_Fingerprints_LIBRARY RDKit_SmilesParse_LIBRARY)

if(RDKit_FOUND AND NOT TARGET RDKit::RDKit)
  set(RDKit_INCLUDE_DIRS ${RDKit_INCLUDE_DIR})
  find_package(Boost QUIET)
  add_library(RDKit::RDKit INTERFACE IMPORTED)
  set_target_properties(RDKit::RDKit PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${RDKit_INCLUDE_DIRS}"
    INTERFACE_LINK_LIBRARIES "${RDKit_LIBRARIES}")
  if(TARGET Boost::headers)
    set_property(TARGET RDKit::RDKit APPEND PROPERTY INTERFACE_LINK_LIBRARIES Boost::headers)
  endif()
  # Debian's RDKit is built with Eigen; some headers (BCUT2D) declare functions only under this macro.
  if(EXISTS ${RDKit_INCLUDE_DIR}/GraphMol/Descriptors/BCUT.h)
    set_property(TARGET RDKit::RDKit APPEND PROPERTY INTERFACE_COMPILE_DEFINITIONS RDK_HAS_EIGEN3)
  endif()
  if(RDKit_DATA_DIR)
    set_property(TARGET RDKit::RDKit APPEND PROPERTY
      INTERFACE_COMPILE_DEFINITIONS C2S_RDKIT_DATA_DIR="${RDKit_DATA_DIR}")
  endif()
endif()
mark_as_advanced(RDKit_INCLUDE_DIR RDKit_DATA_DIR)
