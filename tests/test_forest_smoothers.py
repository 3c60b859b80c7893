"""Forest smoothers: the weights reproduce scikit-learn's predictions (with and without bootstrap),
rows sum to 1, a hand-computed tree, and the effective-parameter count at its two extremes."""
import numpy as np
import pytest
from sklearn.ensemble import ExtraTreesRegressor, RandomForestRegressor
from sklearn.tree import DecisionTreeRegressor

from reglab.topics import forest_smoothers as fs


def data(n=80, d=3, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.uniform(size=(n, d))
    y = np.sin(4 * x[:, 0]) + x[:, 1] + 0.3 * rng.standard_normal(n)
    return x, y, rng.uniform(size=(40, d))


MODELS = {
    "tree": lambda: DecisionTreeRegressor(max_leaf_nodes=20, random_state=0),
    "forest": lambda: RandomForestRegressor(n_estimators=7, max_features=0.5, bootstrap=False, n_jobs=1,
                                            random_state=0),
    "forest_bootstrap": lambda: RandomForestRegressor(n_estimators=7, min_samples_leaf=3, bootstrap=True,
                                                      n_jobs=1, random_state=1),
    "forest_subsample": lambda: RandomForestRegressor(n_estimators=5, bootstrap=True, max_samples=0.6,
                                                      n_jobs=1, random_state=2),
    "extra_trees": lambda: ExtraTreesRegressor(n_estimators=5, max_leaf_nodes=30, n_jobs=1, random_state=0),
}


@pytest.mark.parametrize("name", MODELS)
def test_smoother_reproduces_predictions_and_rows_sum_to_one(name):
    x, y, x_test = data()
    model = MODELS[name]().fit(x, y)
    for x_eval in (x, x_test):
        s = fs.smoother_matrix(model, x, x_eval)
        assert (s >= 0).all()
        np.testing.assert_allclose(s.sum(1), 1.0, atol=1e-12)
        np.testing.assert_allclose(s @ y, model.predict(x_eval), atol=1e-10)


def test_bootstrap_counts_are_needed():
    x, y, x_test = data()
    model = MODELS["forest_bootstrap"]().fit(x, y)
    counts = fs.in_bag_counts(model, len(x))
    assert (counts.sum(1) == len(x)).all() and (counts == 0).any() and (counts > 1).any()
    unweighted = np.mean([fs.tree_smoother(t, x, x_test) for t in model.estimators_], 0)
    assert np.abs(unweighted @ y - model.predict(x_test)).max() > 1e-3


def test_stump_smoother_by_hand():
    x = np.array([[0.0], [1.0], [2.0], [3.0]])
    tree = DecisionTreeRegressor(max_depth=1).fit(x, np.array([0.0, 0.0, 1.0, 5.0]))  # splits {0, 1, 2} | {3}
    s = fs.smoother_matrix(tree, x, np.array([[0.5], [2.2], [10.0]]))
    third = 1 / 3
    np.testing.assert_allclose(s, [[third, third, third, 0], [third, third, third, 0], [0, 0, 0, 1]])
    assert fs.effective_parameters(s) == pytest.approx(4 * (third + third + 1) / 3)


def test_effective_parameters_extremes():
    assert fs.effective_parameters(np.eye(6)) == pytest.approx(6)
    assert fs.effective_parameters(np.full((3, 6), 1 / 6)) == pytest.approx(1)
    np.testing.assert_allclose(fs.parameter_shares(np.array([[1.0, 0, 0, 0], [0.5, 0.5, 0, 0]])), [4, 2])


def test_interpolating_forest_uses_n_parameters_at_its_training_inputs_only():
    x, y, x_test = data()
    forest = RandomForestRegressor(n_estimators=10, max_features=0.4, bootstrap=False, n_jobs=1,
                                   random_state=0).fit(x, y)
    assert fs.effective_parameters(fs.smoother_matrix(forest, x, x)) == pytest.approx(len(x))
    assert fs.effective_parameters(fs.smoother_matrix(forest, x, x_test)) < 0.8 * len(x)
