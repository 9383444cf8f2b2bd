"""Deterministic drug-like molecules for the distance benchmarks and fixtures.

A few dozen marketed-drug SMILES plus a combinatorial library: scaffolds common in medicinal
chemistry (amides, sulfonamides, biaryls, ureas, piperazines, heteroaryls) with two substituent
sites filled from a list of typical R-groups. Only molecules RDKit sanitises are kept; the order
is fixed, so every run gives the same list.
"""
from rdkit import Chem

DRUGS = [
    "CC(=O)Oc1ccccc1C(=O)O", "CC(C)Cc1ccc(cc1)C(C)C(=O)O", "CN1C=NC2=C1C(=O)N(C(=O)N2C)C",
    "CC(=O)Nc1ccc(O)cc1", "COc1ccc2[nH]cc(CCNC(C)=O)c2c1", "CN1CCC[C@H]1c1cccnc1",
    "Clc1ccc2c(c1)C(=NCc1nncn1-2)c1ccccc1", "CC(C)NCC(O)COc1cccc2ccccc12",
    "COc1ccc(cc1)C(=O)c1ccccc1", "OC(=O)c1ccccc1Nc1cccc(c1)C(F)(F)F",
    "CN(C)CCCN1c2ccccc2CCc2ccccc12", "CCN(CC)CC(=O)Nc1c(C)cccc1C",
    "CC1=C(C(c2ccccc2[N+](=O)[O-])C(=C(N1)C)C(=O)OC)C(=O)OC", "NC(=O)c1cnccn1",
    "Cc1onc(c1C(=O)NC1C2SC(C)(C)C(N2C1=O)C(=O)O)-c1ccccc1", "CS(=O)(=O)c1ccc(cc1)C1=C(C(=O)OC1)c1ccccc1",
    "Cc1ccc(cc1)-c1cc(nn1-c1ccc(cc1)S(N)(=O)=O)C(F)(F)F", "CC(C)(C)NCC(O)c1ccc(O)c(CO)c1",
    "O=C(O)CCCc1ccc(N(CCCl)CCCl)cc1", "COc1cc2ncnc(Nc3ccc(F)c(Cl)c3)c2cc1OCCCN1CCOCC1",
    "Cc1ccc(NC(=O)c2ccc(CN3CCN(C)CC3)cc2)cc1Nc1nccc(n1)-c1cccnc1", "CN1CCN(CC1)c1ccc2nc(-c3ccc(O)cc3)[nH]c2c1",
    "C#Cc1cccc(Nc2ncnc3cc(OCCOC)c(OCCOC)cc23)c1", "CC(C)n1c(C=CC(O)CC(O)CC(=O)O)c(-c2ccc(F)cc2)c2ccccc12",
    "OC(=O)CC(O)(CC(=O)O)C(=O)O", "NS(=O)(=O)c1cc(C(=O)O)c(NCc2ccco2)cc1Cl",
    "CCOC(=O)C1=C(COCCN)NC(C)=C(C1c1ccccc1Cl)C(=O)OC", "Clc1ccc(cc1)C(c1ccccc1)N1CCN(CCOCC(=O)O)CC1",
    "COc1ccc2c(c1)c(CC(=O)O)c(C)n2C(=O)c1ccc(Cl)cc1", "CN1C(=O)CN=C(c2ccccc2)c2cc(Cl)ccc12",
    "Fc1ccc(cc1)C(=O)CCCN1CCC(CC1)(O)c1ccc(Cl)cc1", "CC(=O)OCC(=O)C1(O)CCC2C3CCC4=CC(=O)CCC4(C)C3C(O)CC21C",
    "Nc1nc(N)c2nc(-c3ccccc3)c(N)nc2n1", "O=C1NC(=O)C(N1)(c1ccccc1)c1ccccc1",
    "CC12CCC3c4ccc(O)cc4CCC3C1CCC2O", "CCCc1nc(C)c2n1[nH]c(nc2=O)-c1cc(ccc1OCC)S(=O)(=O)N1CCN(C)CC1",
    "Cn1cnc2c1c(=O)n(C)c(=O)n2C", "OC(=O)c1cn(C2CC2)c2cc(N3CCNCC3)c(F)cc2c1=O",
    "CC(C)OC(=O)C(C)(C)Oc1ccc(cc1)C(=O)c1ccc(Cl)cc1", "COc1ccc(cc1)C1Sc2ccccc2N(CCN(C)C)C(=O)C1OC(C)=O",
]

SCAFFOLDS = [
    "c1cc({R1})ccc1C(=O)Nc1ccc({R2})cn1",
    "c1ccc({R1})cc1S(=O)(=O)Nc1ccc({R2})cc1",
    "c1cc({R1})ccc1-c1ccc({R2})nc1",
    "O=C(Nc1ccc({R1})cc1)Nc1cccc({R2})c1",
    "c1ccc({R1})cc1CN1CCN(CC1)c1ncc({R2})cn1",
    "c1nc2ccc({R1})cc2n1Cc1ccc({R2})cc1",
    "O=C(c1ccc({R1})o1)N1CCC(CC1)c1ccc({R2})cc1",
    "c1cc({R1})ccc1Oc1ccnc2cc({R2})ccc12",
    "Cc1nc(sc1C(=O)NCc1ccc({R1})cc1){R2}",
    "O=C1CN=C(c2ccc({R1})cc2)c2cc({R2})ccc2N1",
    "c1ccc2c(c1)c(CC(=O)N{R1})cn2C{R2}",
    "O=S(=O)(c1ccc({R1})cc1)N1CCC(C1)Oc1ccc({R2})cc1",
    "c1cnc(nc1Nc1ccc({R1})cc1)Nc1cccc({R2})c1",
    "O=C(O)C(Cc1ccc({R1})cc1)NC(=O)c1ccc({R2})s1",
]

R_GROUPS = [
    "[H]", "C", "CC", "F", "Cl", "Br", "OC", "C(F)(F)F", "C#N", "N(C)C", "C(=O)N", "S(C)(=O)=O",
    "O", "N", "C(=O)OC", "OCC(F)F", "N%91CCOCC%91", "N%91CCN(C)CC%91", "c%91ccccc%91", "C%91CC%91",
    "OC(C)C", "NC(C)=O", "C(C)(C)C", "c%91ccncc%91",
]


def molecules(limit=None):
    """Canonical SMILES: the drugs, then scaffold x R1 x R2 in a fixed order."""
    seen, out = set(), []

    def add(smi):
        mol = Chem.MolFromSmiles(smi)
        if mol is None:
            return
        can = Chem.MolToSmiles(mol)
        if can not in seen:
            seen.add(can)
            out.append(can)

    for s in DRUGS:
        add(s)
    for r1 in R_GROUPS:
        for r2 in R_GROUPS:
            for scaffold in SCAFFOLDS:
                add(scaffold.replace("{R1}", r1).replace("{R2}", r2))
                if limit and len(out) >= limit:
                    return out
    return out


def morgan_bits(smiles, radius=2, nbits=2048):
    from rdkit.Chem import AllChem
    return [AllChem.GetMorganFingerprintAsBitVect(Chem.MolFromSmiles(s), radius, nBits=nbits) for s in smiles]


def pack(fps, nbits=2048):
    """Packed uint64 words, bit j of a fingerprint in bit j % 64 of word j // 64."""
    import numpy as np
    words = nbits // 64
    out = np.zeros((len(fps), words), dtype=np.uint64)
    for i, fp in enumerate(fps):
        for j in fp.GetOnBits():
            out[i, j // 64] |= np.uint64(1) << np.uint64(j % 64)
    return out
