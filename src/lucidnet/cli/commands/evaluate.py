"""``lucidnet evaluate``: a saved model's loss and accuracy (MSE and R^2 for a regression) on its dataset's test
set. Writes nothing."""
from .. import registry
from ..args import int_at_least
from ..data import add_dataset_options, chosen_dataset, load_data, option_values
from ..files import dataset_of, load_model
from .train import dataset_type


def arguments(p):
    p.add_argument("model", metavar="MODEL", help="a model file written by lucidnet train (or lucidnet.save)")
    p.add_argument("--dataset", metavar="NAME", type=dataset_type(), help="evaluate on this dataset instead")
    add_dataset_options(p)
    p.add_argument("--data-dir", metavar="DIR", help="where to look for fashion-mnist/mnist first")
    p.add_argument("--batch-size", metavar="N", type=int_at_least(1), default=1000,
                   help="samples per batch (default: 1000)")


def run(args):
    loaded = load_model(args.model)
    name = dataset_of(loaded, chosen_dataset(args, None))
    d = load_data(name, args.data_dir, **option_values(args, name))
    outputs = len(d.classes) if d.task == "classification" else 1
    loaded.check_fits(d.name, d.input_shape, d.task, outputs, d.x_test[:2])
    print(f"{args.model} on the {d.describe(len(d.x_test))} of the {d.title} test set: "
          f"{loaded.evaluate(d, args.batch_size)}")
    return 0


registry.register_command(registry.Command(
    name="evaluate", help="evaluate a saved model on its dataset's test set",
    description="Load a model and print its loss and accuracy (MSE and R^2 for sine) on the test split of the "
                "dataset it was trained on (recorded in the model file by 'lucidnet train'), or of --dataset. "
                "Writes nothing.",
    epilog="examples:\n"
           "  lucidnet evaluate runs/fashion-mnist-mlp/model.safetensors\n"
           "  lucidnet evaluate my_model.safetensors --dataset mnist --data-dir ~/data",
    arguments=arguments, run=run,
    examples=("lucidnet evaluate runs/fashion-mnist-mlp/model.safetensors",)))
