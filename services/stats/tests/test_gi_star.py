"""Gi*: equal to PySAL esda on the same H3 study area, zero-count cells included."""

import h3
import numpy as np
import pytest
from esda.getisord import G_Local
from libpysal.weights import W

from kmzb_stats.domain.gi_star import StudyArea, gi_star

KRAKOW = h3.latlng_to_cell(50.0614, 19.9366, 8)


def _esda_zs(area: StudyArea, y: np.ndarray, *, k: int) -> tuple[np.ndarray, np.ndarray]:
    """esda's Gi* with libpysal weights built independently from h3 grid distances."""
    cells = list(area.cells)
    inside = set(cells)
    neighbours = {c: sorted(n for n in h3.grid_disk(c, k) if n != c and n in inside) for c in cells}
    w = W(neighbours, id_order=cells, silence_warnings=True)
    g = G_Local(y, w, transform="B", star=True, permutations=0)
    return g.Zs, g.p_norm


def _counts(area: StudyArea, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    y = rng.poisson(0.3, area.size).astype(float)  # mostly zeros, as in real data
    hot = area.index_of(list(h3.grid_disk(area.cells[area.size // 3], 2)))
    y[hot[hot >= 0]] += rng.poisson(6, int((hot >= 0).sum()))
    return y


@pytest.mark.parametrize("k", [1, 2])
def test_z_scores_and_p_values_equal_esda_on_an_h3_disk_with_zero_cells(k):
    area = StudyArea.from_cells(h3.grid_disk(KRAKOW, 12), k=k)
    y = _counts(area, seed=k)
    assert (y == 0).sum() > area.size // 2
    ours = gi_star(y, area.weights)
    zs, p = _esda_zs(area, y, k=k)
    np.testing.assert_allclose(ours.z, zs, rtol=0, atol=1e-9)
    np.testing.assert_allclose(ours.p, p, rtol=0, atol=1e-9)


def test_z_scores_equal_esda_on_an_irregular_region_whose_edge_cells_have_fewer_neighbours():
    outline = h3.LatLngPoly([(50.00, 19.80), (50.12, 19.85), (50.10, 20.05), (50.03, 20.10), (50.06, 19.95)])
    area = StudyArea.from_cells(h3.polygon_to_cells(outline, 8))
    assert np.asarray(area.weights.sum(axis=1)).min() < 7
    y = _counts(area, seed=7)
    np.testing.assert_allclose(gi_star(y, area.weights).z, _esda_zs(area, y, k=1)[0], rtol=0, atol=1e-9)


def test_a_planted_cluster_is_a_significant_hotspot_and_an_empty_cell_far_away_is_not():
    area = StudyArea.from_cells(h3.grid_disk(KRAKOW, 10))
    y, outside = area.vector({c: 5.0 for c in h3.grid_disk(KRAKOW, 1)} | {"8828308281fffff": 3.0})
    assert outside == 1
    result = gi_star(y, area.weights)
    centre = area.index_of([KRAKOW])[0]
    assert result.z[centre] > 3 and result.p[centre] < 0.001
    far = area.index_of([h3.grid_ring(KRAKOW, 10)[0]])[0]
    assert result.z[far] < 0


def test_a_study_area_without_variation_has_no_hotspots():
    area = StudyArea.from_cells(h3.grid_disk(KRAKOW, 3))
    for y in (np.zeros(area.size), np.full(area.size, 2.0)):
        result = gi_star(y, area.weights)
        assert not result.z.any() and (result.p == 0.5).all()


def test_weights_are_binary_symmetric_and_include_the_cell_itself():
    area = StudyArea.from_cells(h3.grid_disk(KRAKOW, 4))
    w = area.weights
    assert (w.diagonal() == 1).all()
    assert (w != w.T).nnz == 0
    assert set(w.data) == {1.0}
    assert w[area.index_of([KRAKOW])[0]].nnz == 7


def test_a_study_area_rejects_mixed_resolutions_and_k_below_one():
    with pytest.raises(ValueError, match="resolution"):
        StudyArea.from_cells([KRAKOW, h3.cell_to_parent(KRAKOW, 7)])
    with pytest.raises(ValueError, match="k must"):
        StudyArea.from_cells([KRAKOW], k=0)
